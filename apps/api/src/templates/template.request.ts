import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { TemplateComponent } from '@app/templates';
import { ListRequest } from '../http/list.request';

export class TemplateCreateRequest {
  @ApiProperty() @IsUUID() businessAccountId!: string;

  @ApiProperty({ example: 'seasonal_promotion' }) @IsString() @Length(1, 512) name!: string;

  @ApiProperty({ example: 'en_US' }) @IsString() @Length(2, 16) language!: string;

  @ApiProperty({ enum: ['MARKETING', 'UTILITY'] }) @IsIn(['MARKETING', 'UTILITY']) category!:
    'MARKETING' | 'UTILITY';

  @ApiPropertyOptional({ enum: ['positional', 'named'], default: 'positional' })
  @IsOptional()
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
  @IsOptional()
  @IsInt()
  messageSendTtlSeconds?: number;
}

export class TemplateListRequest extends ListRequest {
  @ApiPropertyOptional() @IsOptional() @IsUUID() businessAccountId?: string;
  @ApiPropertyOptional({ example: 'APPROVED' })
  @IsOptional()
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
  })
  @IsOptional()
  header?:
    | string[]
    | Record<string, string>
    | { type: 'image' | 'video' | 'document' | 'gif'; link?: string; id?: string };

  @ApiPropertyOptional({
    description:
      'Body values: an array (positional) or an object (named); each a literal or e.g. {{contact.attributes.firstName}}',
  })
  @IsOptional()
  body?: string[] | Record<string, string>;

  @ApiPropertyOptional({ type: [TemplateButtonBinding] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TemplateButtonBinding)
  buttons?: TemplateButtonBinding[];
}

export class TemplatePreviewRequest {
  @ApiPropertyOptional({ description: 'Render for this contact' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ description: 'Or render for these ad-hoc attributes' })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ example: '+5511912345678' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ type: TemplateParametersRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => TemplateParametersRequest)
  parameters?: TemplateParametersRequest;
}
