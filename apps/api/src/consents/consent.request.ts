import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { IsoDate } from '../http/iso-date';
import { ExactlyOneOf } from '../http/exactly-one-of';
import { AbsentOr } from '../http/absent-or';

export class ConsentCreateRequest {
  @ApiPropertyOptional({ example: '+5511912345678', description: 'phone or contactId' })
  @ValidateIf((o: ConsentCreateRequest) => o.phone !== undefined || o.contactId === undefined)
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ description: 'contactId or phone' })
  @ValidateIf((o: ConsentCreateRequest) => o.contactId !== undefined || o.phone === undefined)
  @IsUUID()
  @ExactlyOneOf(['phone', 'contactId'])
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
  @AbsentOr()
  @IsString()
  @MaxLength(2000)
  proof?: string;

  @ApiPropertyOptional({ example: 'Lucky Shrub' })
  @AbsentOr()
  @IsString()
  @MaxLength(200)
  businessName?: string;

  @ApiPropertyOptional({ example: 'weekly offers on WhatsApp' })
  @AbsentOr()
  @IsString()
  @MaxLength(1000)
  intent?: string;

  @ApiPropertyOptional({ description: 'when the contact acted (ISO-8601); defaults to now' })
  @AbsentOr()
  @IsoDate()
  occurredAt?: Date;
}
