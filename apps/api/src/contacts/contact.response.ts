import { ApiProperty } from '@nestjs/swagger';
import type { ContactRecord } from '@app/audiences';

export class ContactResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '+5511912345678' }) phone!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'US.13491208655302741918',
    description: "Meta's business-scoped user id (BSUID), once known",
  })
  userId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) attributes!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) locale!: string | null;
  @ApiProperty({ nullable: true, type: String }) timezone!: string | null;
  @ApiProperty({
    enum: ['opted_in', 'opted_out', 'none'],
    description: 'derived from the consent ledger',
  })
  consent!: 'opted_in' | 'opted_out' | 'none';
  @ApiProperty({ nullable: true, type: String }) consentChangedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ContactListResponse {
  @ApiProperty({ type: [ContactResponse] }) data!: ContactResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toContactResponse(c: ContactRecord): ContactResponse {
  return {
    id: c.id,
    phone: c.phone,
    userId: c.userId,
    attributes: c.attributes,
    locale: c.locale,
    timezone: c.timezone,
    consent: c.consent,
    consentChangedAt: c.consentChangedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
