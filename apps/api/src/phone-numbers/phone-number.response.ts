import { ApiProperty } from '@nestjs/swagger';
import type { PhoneNumberRecord } from '@app/accounts';

export class PhoneNumberResponse {
  @ApiProperty() id!: string;
  @ApiProperty() businessAccountId!: string;
  @ApiProperty({ description: "Meta's phone-number id (the sender)" }) phoneNumberId!: string;
  @ApiProperty({ example: '+1 555 078 3881' }) displayPhoneNumber!: string;
  @ApiProperty({ nullable: true, type: String }) verifiedName!: string | null;
  @ApiProperty({
    description: 'Messages per second the governor allows (override, else Meta level)',
  })
  throughputMps!: number;
  @ApiProperty({ description: "Messages per second of Meta's throughput level" })
  graphThroughputMps!: number;
  @ApiProperty({ nullable: true, type: String, example: 'TIER_10K' }) messagingLimitTier!:
    string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Unique recipients per moving 24 h; null = unlimited',
  })
  messagingLimitPerDay!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'GREEN' }) qualityRating!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PhoneNumberListResponse {
  @ApiProperty({ type: [PhoneNumberResponse] }) data!: PhoneNumberResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toPhoneNumberResponse(p: PhoneNumberRecord): PhoneNumberResponse {
  return {
    id: p.id,
    businessAccountId: p.businessAccountId,
    phoneNumberId: p.phoneNumberId,
    displayPhoneNumber: p.displayPhoneNumber,
    verifiedName: p.verifiedName,
    throughputMps: p.throughputMps,
    graphThroughputMps: p.graphThroughputMps,
    messagingLimitTier: p.messagingLimitTier,
    messagingLimitPerDay: p.messagingLimitPerDay,
    qualityRating: p.qualityRating,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
