import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { AbsentOr } from '../http/absent-or';
import { ListRequest } from '../http/list.request';

const MAX_ATTRIBUTES_JSON = 16 * 1024;

/** Keeps attributes small enough to travel with every message render. */
function SmallJson(options?: ValidationOptions) {
  return (object: object, propertyName: string): void => {
    registerDecorator({
      name: 'smallJson',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be at most ${MAX_ATTRIBUTES_JSON} bytes as JSON`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          value === undefined || Buffer.byteLength(JSON.stringify(value)) <= MAX_ATTRIBUTES_JSON,
      },
    });
  };
}

export class ContactUpsertRequest {
  @ApiProperty({
    example: '+5511912345678',
    description: 'E.164, or national with the workspace default country',
  })
  @IsString()
  @MaxLength(40)
  phone!: string;

  @ApiPropertyOptional({
    example: 'US.13491208655302741918',
    description:
      "Meta's business-scoped user id (BSUID) of this phone's WhatsApp user; learnt from webhooks when omitted",
  })
  @AbsentOr()
  @IsString()
  @MaxLength(123)
  userId?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { firstName: 'Ana', couponCode: 'X20' },
    description: 'Merged into the stored attributes; a key set to null is removed',
  })
  @AbsentOr()
  @IsObject()
  @SmallJson()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'pt-BR', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(35)
  locale?: string | null;

  @ApiPropertyOptional({ example: 'America/Sao_Paulo', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(64)
  timezone?: string | null;
}

export class ContactListRequest extends ListRequest {
  @ApiPropertyOptional({ enum: ['opted_in', 'opted_out', 'none'] })
  @AbsentOr()
  @IsIn(['opted_in', 'opted_out', 'none'])
  consent?: 'opted_in' | 'opted_out' | 'none';
}
