import { ApiProperty } from '@nestjs/swagger';
import type { FailedWebhookEvent } from '@app/webhooks';

export class WebhookEventResponse {
  @ApiProperty({ example: '1234' }) id!: string;
  @ApiProperty({ enum: ['dead', 'failing', 'pending'] }) state!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ description: 'tries so far (since the last manual retry)' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'when a failing event is tried again' })
  retryAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deadAt!: string | null;
  @ApiProperty({ description: 'size of the payload as Meta sent it' }) bytes!: number;
  @ApiProperty({ type: [String], description: 'the WhatsApp Business Accounts it is about' })
  wabaIds!: string[];
}

export class WebhookEventListResponse {
  @ApiProperty({ type: [WebhookEventResponse] }) data!: WebhookEventResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toWebhookEventResponse(e: FailedWebhookEvent): WebhookEventResponse {
  return {
    id: e.id,
    state: e.state,
    receivedAt: e.receivedAt.toISOString(),
    attempts: e.attempts,
    lastError: e.lastError,
    retryAt: e.retryAt?.toISOString() ?? null,
    deadAt: e.deadAt?.toISOString() ?? null,
    bytes: e.bytes,
    wabaIds: e.wabaIds,
  };
}
