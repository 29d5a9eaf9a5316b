import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  ValidateIf,
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

/** What a template edit may change (`PATCH /v1/templates/:id`): its TTL, mirrored to Meta. */
export class TemplateUpdateRequest {
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 86_400,
    description:
      "Meta's message_send_ttl_seconds: 43200–2592000 s (12 h – 30 days) for MARKETING, 30–43200 s for UTILITY; null removes it. A message not delivered within it is dropped by Meta and shown as expired; messages already sent keep the TTL they left with",
  })
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  messageSendTtlSeconds!: number | null;
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

export class ProductSectionBinding {
  @ApiProperty({ example: 'Best sellers', description: 'at most 24 characters' })
  @IsString()
  @MaxLength(200)
  title!: string;
  @ApiProperty({ type: [String], example: ['SKU-1', '{{contact.attributes.lastViewedSku}}'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  productRetailerIds!: string[];
}

/** A button's value; which field depends on the button's type. */
export class TemplateButtonBinding {
  @ApiProperty({ description: "the button's position (from 0) on the template or its card" })
  @IsInt()
  index!: number;
  @ApiPropertyOptional({ description: "URL button: the URL's suffix; COPY_CODE: the coupon code" })
  @AbsentOr()
  @IsString()
  @MaxLength(2000)
  text?: string;
  @ApiPropertyOptional({ description: 'QUICK_REPLY: the payload echoed back when tapped' })
  @AbsentOr()
  @IsString()
  @MaxLength(1000)
  payload?: string;
  @ApiPropertyOptional({ description: 'CATALOG and MPM buttons: the thumbnail product' })
  @AbsentOr()
  @IsString()
  @MaxLength(200)
  thumbnailProductRetailerId?: string;
  @ApiPropertyOptional({
    type: [ProductSectionBinding],
    description: 'MPM buttons: 1–10 sections, at most 30 products in all',
  })
  @AbsentOr()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ProductSectionBinding)
  sections?: ProductSectionBinding[];
}

export class MediaBindingRequest {
  @ApiProperty({ enum: ['image', 'video', 'document', 'gif'] })
  @IsIn(['image', 'video', 'document', 'gif'])
  type!: 'image' | 'video' | 'document' | 'gif';
  @ApiPropertyOptional({ description: 'an http(s) link (a literal or a contact field)' })
  @AbsentOr()
  @IsString()
  @MaxLength(2000)
  link?: string;
  @ApiPropertyOptional({ description: 'a media id uploaded to the phone number' })
  @AbsentOr()
  @IsString()
  @MaxLength(200)
  id?: string;
}

/** One carousel card's values. */
export class CardBindingRequest {
  @ApiPropertyOptional({ type: MediaBindingRequest, description: "the card's image or video" })
  @AbsentOr()
  @ValidateNested()
  @Type(() => MediaBindingRequest)
  header?: MediaBindingRequest;

  @ApiPropertyOptional({
    description: "the card body's values: an array (positional) or an object (named)",
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

export class LimitedTimeOfferBindingRequest {
  @ApiProperty({
    description:
      'when the offer ends: epoch milliseconds (a number or a string) or ISO-8601, a literal or e.g. {{contact.attributes.offerEndsAt}}',
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    example: '1767225600000',
  })
  // Epoch milliseconds may come as a JSON number; bindings are strings from here on.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value,
  )
  @IsString()
  @MaxLength(200)
  expirationTimeMs!: string;
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

  @ApiPropertyOptional({
    type: [CardBindingRequest],
    description: 'carousel templates: one entry per card, in card order (card_index 0, 1, …)',
  })
  @AbsentOr()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => CardBindingRequest)
  cards?: CardBindingRequest[];

  @ApiPropertyOptional({ type: LimitedTimeOfferBindingRequest })
  @AbsentOr()
  @ValidateNested()
  @Type(() => LimitedTimeOfferBindingRequest)
  limitedTimeOffer?: LimitedTimeOfferBindingRequest;
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
