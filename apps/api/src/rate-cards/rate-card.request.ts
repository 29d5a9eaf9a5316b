import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PRICING_CATEGORIES, type PricingCategory } from '@app/campaigns';
import { AbsentOr } from '../http/absent-or';

export class RateCardCreateRequest {
  @ApiProperty({ example: '55', description: "the recipient's country calling code, 1–4 digits" })
  @IsString()
  @Matches(/^[1-9][0-9]{0,3}$/, {
    message: 'callingCode must be 1 to 4 digits, not starting with 0',
  })
  callingCode!: string;

  @ApiProperty({ enum: PRICING_CATEGORIES, example: 'marketing' })
  @IsIn(PRICING_CATEGORIES)
  category!: PricingCategory;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 code' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be three capital letters (ISO 4217)' })
  currency!: string;

  @ApiProperty({ example: 0.0625, description: 'price per delivered message, up to 6 decimals' })
  @IsNumber({ maxDecimalPlaces: 6, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(999_999)
  price!: number;

  @ApiProperty({
    example: '2026-04-01',
    description: 'first UTC day the price applies (YYYY-MM-DD); in force until the next row',
  })
  @IsString()
  @Matches(/^2\d{3}-\d{2}-\d{2}$/, { message: 'effectiveFrom must be a day YYYY-MM-DD (2000 on)' })
  @IsISO8601({ strict: true }, { message: 'effectiveFrom must be a real calendar day' })
  effectiveFrom!: string;

  @ApiPropertyOptional({ example: 'BR' })
  @AbsentOr()
  @IsString()
  @MaxLength(100)
  country?: string;
}
