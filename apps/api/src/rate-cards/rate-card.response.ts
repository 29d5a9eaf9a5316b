import { ApiProperty } from '@nestjs/swagger';
import { PRICING_CATEGORIES, type RateCardRecord } from '@app/campaigns';

export class RateCardResponse {
  @ApiProperty() id!: string;
  @ApiProperty({
    enum: ['default', 'workspace'],
    description:
      "default: the engine's card; workspace: this workspace's own row, which replaces the default from its day on",
  })
  scope!: 'default' | 'workspace';
  @ApiProperty() callingCode!: string;
  @ApiProperty({ nullable: true, type: String }) country!: string | null;
  @ApiProperty({ enum: PRICING_CATEGORIES }) category!: string;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'per delivered message' }) price!: number;
  @ApiProperty({ example: '2026-04-01' }) effectiveFrom!: string;
  @ApiProperty() createdAt!: string;
}

export class RateCardListResponse {
  @ApiProperty({ type: [RateCardResponse] }) data!: RateCardResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' })
  nextCursor!: string | null;
}

export function toRateCardResponse(r: RateCardRecord): RateCardResponse {
  return {
    id: r.id,
    scope: r.workspaceId === null ? 'default' : 'workspace',
    callingCode: r.callingCode,
    country: r.country,
    category: r.category,
    currency: r.currency,
    price: r.price,
    effectiveFrom: r.effectiveFrom,
    createdAt: r.createdAt.toISOString(),
  };
}
