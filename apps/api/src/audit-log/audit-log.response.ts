import { ApiProperty } from '@nestjs/swagger';
import type { AuditRecord } from '@app/accounts';

export class AuditEntryResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'the API key that made the call' }) apiKeyId!: string;
  @ApiProperty({ example: 'POST' }) method!: string;
  @ApiProperty({ example: '/v1/campaigns/:id/launch' }) route!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "the route's :id, or what was created",
  })
  targetId!: string | null;
  @ApiProperty({ example: 200, description: 'the HTTP status of the answer' }) status!: number;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ description: 'when the call was answered' }) at!: string;
}

export class AuditLogResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) data!: AuditEntryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAuditEntryResponse(r: AuditRecord): AuditEntryResponse {
  return {
    id: r.id,
    apiKeyId: r.apiKeyId,
    method: r.method,
    route: r.route,
    targetId: r.targetId,
    status: r.status,
    requestId: r.requestId,
    at: r.createdAt.toISOString(),
  };
}
