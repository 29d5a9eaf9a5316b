import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { IsoDate } from '../http/iso-date';
import { ExactlyOneOf } from '../http/exactly-one-of';
import { AbsentOr } from '../http/absent-or';

export class ConsentCreateRequest {
  @ApiPropertyOptional({
    example: '+5511912345678',
    description: 'one of phone, contactId or userId',
  })
  @ValidateIf(
    (o: ConsentCreateRequest) =>
      o.phone !== undefined || (o.contactId === undefined && o.userId === undefined),
  )
  @IsString()
  @MaxLength(40)
  @ExactlyOneOf(['phone', 'contactId', 'userId'])
  phone?: string;

  @ApiPropertyOptional({ description: 'one of contactId, phone or userId' })
  @ValidateIf((o: ConsentCreateRequest) => o.contactId !== undefined)
  @IsUUID()
  @ExactlyOneOf(['phone', 'contactId', 'userId'])
  contactId?: string;

  @ApiPropertyOptional({
    example: 'US.13491208655302741918',
    description: "one of userId, phone or contactId: Meta's BSUID of a known contact",
  })
  @ValidateIf((o: ConsentCreateRequest) => o.userId !== undefined)
  @IsString()
  @MaxLength(123)
  @ExactlyOneOf(['phone', 'contactId', 'userId'])
  userId?: string;

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
