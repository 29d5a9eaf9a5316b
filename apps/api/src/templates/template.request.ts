import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { TemplateComponent } from '@app/templates';
import { ListRequest } from '../http/list.request';
import { AbsentOr } from '../http/absent-or';

export class TemplateCreateRequest {
  @ApiProperty() @IsUUID() businessAccountId!: string;

  @ApiProperty({ example: 'seasonal_promotion' }) @IsString() @Length(1, 512) name!: string;

  @ApiProperty({ example: 'en_US' }) @IsString() @Length(2, 16) language!: string;

  @ApiProperty({ enum: ['MARKETING', 'UTILITY'] }) @IsIn(['MARKETING', 'UTILITY']) category!:
    'MARKETING' | 'UTILITY';

  @ApiPropertyOptional({ enum: ['positional', 'named'], default: 'positional' })
  @AbsentOr()
  @IsIn(['positional', 'named'])
  parameterFormat?: 'positional' | 'named';

  @ApiProperty({
    description:
      "Meta's component model (MMLITE §3.1): HEADER, BODY, FOOTER, BUTTONS with their examples; checked field by field",
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsObject({ each: true })
  components!: TemplateComponent[];

  @ApiPropertyOptional({ description: 'MM Lite TTL: 43200–2592000 s for MARKETING' })
  @AbsentOr()
  @IsInt()
  messageSendTtlSeconds?: number;
}

export class TemplateListRequest extends ListRequest {
  @ApiPropertyOptional() @AbsentOr() @IsUUID() businessAccountId?: string;
  @ApiPropertyOptional({ example: 'APPROVED' })
  @AbsentOr()
  @IsString()
  @MaxLength(30)
  status?: string;
}

export class TemplateSyncRequest {
  @ApiProperty() @IsUUID() businessAccountId!: string;
}

export class TemplateButtonBinding {
  @ApiProperty() @IsInt() index!: number;
  @ApiProperty() @IsString() @MaxLength(2000) text!: string;
}

export class TemplateParametersRequest {
  @ApiPropertyOptional({
    description:
      'Header values: an array (positional), an object (named) or { type, link | id } for media',
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'object', additionalProperties: { type: 'string' } },
      {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', enum: ['image', 'video', 'document', 'gif'] },
          link: { type: 'string' },
          id: { type: 'string' },
        },
      },
    ],
  })
  @AbsentOr()
  header?:
    | string[]
    | Record<string, string>
    | { type: 'image' | 'video' | 'document' | 'gif'; link?: string; id?: string };

  @ApiPropertyOptional({
    description:
      'Body values: an array (positional) or an object (named); each a literal or e.g. {{contact.attributes.firstName}}',
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
  })
  @AbsentOr()
  body?: string[] | Record<string, string>;

  @ApiPropertyOptional({ type: [TemplateButtonBinding] })
  @AbsentOr()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TemplateButtonBinding)
  buttons?: TemplateButtonBinding[];
}

export class TemplatePreviewRequest {
  @ApiPropertyOptional({ description: 'Render for this contact' })
  @AbsentOr()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ description: 'Or render for these ad-hoc attributes' })
  @AbsentOr()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ example: '+5511912345678' })
  @AbsentOr()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ type: TemplateParametersRequest })
  @AbsentOr()
  @ValidateNested()
  @Type(() => TemplateParametersRequest)
  parameters?: TemplateParametersRequest;
}
