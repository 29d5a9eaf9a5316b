import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';

export class ConsentCreateRequest {
  @ApiPropertyOptional({ example: '+5511912345678', description: 'phone or contactId' })
  @ValidateIf((o: ConsentCreateRequest) => o.contactId === undefined)
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ description: 'contactId or phone' })
  @ValidateIf((o: ConsentCreateRequest) => o.phone === undefined)
  @IsUUID()
  contactId?: string;

  @ApiProperty({ enum: ['opted_in', 'opted_out'] })
  @IsIn(['opted_in', 'opted_out'])
  status!: 'opted_in' | 'opted_out';

  @ApiProperty({ example: 'checkout-form', description: 'where consent was given or withdrawn' })
  @IsString()
  @Length(1, 200)
  source!: string;

  @ApiPropertyOptional({
    example: 'https://shop.example/forms/123',
    description: 'URL, form id, message id',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  proof?: string;

  @ApiPropertyOptional({ example: 'Lucky Shrub' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  businessName?: string;

  @ApiPropertyOptional({ example: 'weekly offers on WhatsApp' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  intent?: string;

  @ApiPropertyOptional({ description: 'when the contact acted (ISO-8601); defaults to now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  occurredAt?: Date;
}
