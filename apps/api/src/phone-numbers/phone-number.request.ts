import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';

export class PhoneNumberUpdateRequest {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    nullable: true,
    description: 'Messages per second the governor allows; null returns to Meta’s level',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1000)
  throughputMps?: number | null;

  @ApiPropertyOptional({
    minimum: 1,
    nullable: true,
    description: 'Unique recipients per moving 24 h; null returns to the messaging-limit tier',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  messagingLimitPerDay?: number | null;
}
