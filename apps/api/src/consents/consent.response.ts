import { ApiProperty } from '@nestjs/swagger';
import type { ConsentRecord } from '@app/consents';

export class ConsentResponse {
  @ApiProperty() id!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty({ enum: ['opted_in', 'opted_out'] }) status!: 'opted_in' | 'opted_out';
  @ApiProperty() source!: string;
  @ApiProperty({ nullable: true, type: String }) proof!: string | null;
  @ApiProperty({ nullable: true, type: String }) businessName!: string | null;
  @ApiProperty({ nullable: true, type: String }) intent!: string | null;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({ enum: ['api_key', 'import', 'webhook', 'system'] }) recordedBy!: string;
  @ApiProperty({ nullable: true, type: String, description: 'API key id, import id, …' })
  recordedById!: string | null;
  @ApiProperty({ description: "whether this entry changed the contact's current consent" })
  effective!: boolean;
}

export class ConsentCreateResponse extends ConsentResponse {
  @ApiProperty({ enum: ['opted_in', 'opted_out', 'none'] }) currentConsent!: string;
}

export class ConsentListResponse {
  @ApiProperty({ type: [ConsentResponse] }) data!: ConsentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toConsentResponse(c: ConsentRecord): ConsentResponse {
  return {
    id: c.id,
    contactId: c.contactId,
    status: c.status,
    source: c.source,
    proof: c.proof,
    businessName: c.businessName,
    intent: c.intent,
    occurredAt: c.occurredAt.toISOString(),
    recordedAt: c.recordedAt.toISOString(),
    recordedBy: c.recordedByKind,
    recordedById: c.recordedById,
    effective: c.effective,
  };
}
