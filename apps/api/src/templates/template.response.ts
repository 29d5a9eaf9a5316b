import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { slotsOf, type RenderResult, type TemplateRecord } from '@app/templates';

export class TemplateButtonSlotResponse {
  @ApiProperty({ description: 'position among all buttons, from 0' }) index!: number;
  @ApiProperty({ enum: ['URL', 'COPY_CODE'] }) type!: 'URL' | 'COPY_CODE';
}

export class TemplateProductButtonSlotResponse {
  @ApiProperty() index!: number;
  @ApiProperty({ enum: ['CATALOG', 'MPM'] }) type!: 'CATALOG' | 'MPM';
}

export class TemplateCardButtonSlotResponse {
  @ApiProperty({ description: "position among the card's buttons, from 0" }) index!: number;
  @ApiProperty({ enum: ['URL'] }) type!: 'URL';
}

export class TemplateCardSlotsResponse {
  @ApiProperty({ nullable: true, enum: ['IMAGE', 'VIDEO'] }) headerMedia!: 'IMAGE' | 'VIDEO' | null;
  @ApiProperty({ type: [String] }) body!: string[];
  @ApiProperty({ type: [TemplateCardButtonSlotResponse] })
  buttons!: TemplateCardButtonSlotResponse[];
}

/** What a campaign must bind for this template (the placeholders of TemplateParametersRequest). */
export class TemplateSlotsResponse {
  @ApiProperty({ type: [String], description: 'header placeholders: `1`, `2`… or names' })
  header!: string[];
  @ApiProperty({ type: [String], description: 'body placeholders, in the order values are given' })
  body!: string[];
  @ApiProperty({ type: [TemplateButtonSlotResponse] }) buttons!: TemplateButtonSlotResponse[];
  @ApiProperty({
    nullable: true,
    enum: ['IMAGE', 'VIDEO', 'GIF', 'DOCUMENT', 'LOCATION'],
    description: 'a media header needs { type, link | id }',
  })
  headerMedia!: 'IMAGE' | 'VIDEO' | 'GIF' | 'DOCUMENT' | 'LOCATION' | null;
  @ApiProperty({
    type: [TemplateProductButtonSlotResponse],
    description: 'CATALOG / MPM buttons: bind thumbnailProductRetailerId (and sections for MPM)',
  })
  productButtons!: TemplateProductButtonSlotResponse[];
  @ApiProperty({
    type: [TemplateCardSlotsResponse],
    description: 'carousel cards, in card order (bind parameters.cards)',
  })
  cards!: TemplateCardSlotsResponse[];
  @ApiProperty({ description: 'a limited-time offer: bind parameters.limitedTimeOffer' })
  limitedTimeOffer!: boolean;
}

export class TemplateResponse {
  @ApiProperty() id!: string;
  @ApiProperty() businessAccountId!: string;
  @ApiProperty({ nullable: true, type: String }) metaTemplateId!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty() language!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ nullable: true, type: String }) previousCategory!: string | null;
  @ApiProperty({ enum: ['positional', 'named'] }) parameterFormat!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) components!: unknown[];
  @ApiProperty({ type: TemplateSlotsResponse }) slots!: TemplateSlotsResponse;
  @ApiProperty({ nullable: true, type: Number }) messageSendTtlSeconds!: number | null;
  @ApiProperty({ example: 'APPROVED' }) status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'GREEN' }) qualityScore!: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectedReason!: string | null;
  @ApiPropertyOptional({ nullable: true }) rejectionInfo!: unknown;
  @ApiProperty() statusChangedAt!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TemplateListResponse {
  @ApiProperty({ type: [TemplateResponse] }) data!: TemplateResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TemplateSyncResponse {
  @ApiProperty() total!: number;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
}

export class PreviewButtonResponse {
  @ApiProperty({ example: 'URL' }) type!: string;
  @ApiProperty() text!: string;
  @ApiPropertyOptional({ description: 'the URL with its suffix filled in' }) url?: string;
  @ApiPropertyOptional({ description: 'CATALOG / MPM: the thumbnail product' })
  productRetailerId?: string;
  @ApiPropertyOptional({
    description: 'MPM: the sections sent',
    type: 'array',
    items: { type: 'object' },
  })
  sections?: Array<{ title: string; productRetailerIds: string[] }>;
}

export class PreviewCardResponse {
  @ApiProperty({ description: 'card_index, from 0' }) cardIndex!: number;
  @ApiProperty({ nullable: true, type: String }) header!: string | null;
  @ApiProperty({ nullable: true, type: String }) body!: string | null;
  @ApiProperty({ type: [PreviewButtonResponse] }) buttons!: PreviewButtonResponse[];
}

export class PreviewLimitedTimeOfferResponse {
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
}

export class TemplatePreviewResponse {
  @ApiProperty({
    description: 'false when the contact lacks a bound attribute (the campaign would skip it)',
  })
  rendered!: boolean;
  @ApiPropertyOptional({ enum: ['missing_attribute', 'invalid_parameter'] }) skipReason?: string;
  @ApiPropertyOptional() missingAttribute?: string;
  @ApiPropertyOptional({
    description: 'invalid_parameter: where, e.g. "card 2 button 1 (URL suffix)"',
  })
  location?: string;
  @ApiPropertyOptional({ description: 'invalid_parameter: what Meta would refuse' })
  problem?: string;
  @ApiPropertyOptional() text?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) header?: string | null;
  @ApiPropertyOptional() body?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) footer?: string | null;
  @ApiPropertyOptional({ type: [PreviewButtonResponse] }) buttons?: PreviewButtonResponse[];
  @ApiPropertyOptional({ type: [PreviewCardResponse], description: 'carousel cards' })
  cards?: PreviewCardResponse[];
  @ApiPropertyOptional({ type: PreviewLimitedTimeOfferResponse, nullable: true })
  limitedTimeOffer?: PreviewLimitedTimeOfferResponse | null;
  @ApiPropertyOptional({
    description: 'The components sent to Meta',
    type: 'array',
    items: { type: 'object' },
  })
  components?: unknown[];
}

export function toTemplateResponse(t: TemplateRecord): TemplateResponse {
  return {
    id: t.id,
    businessAccountId: t.businessAccountId,
    metaTemplateId: t.metaTemplateId,
    name: t.name,
    language: t.language,
    category: t.category,
    previousCategory: t.previousCategory,
    parameterFormat: t.parameterFormat,
    components: t.components,
    slots: slotsOf(t.components, t.parameterFormat),
    messageSendTtlSeconds: t.messageSendTtlSeconds ?? null,
    status: t.status,
    qualityScore: t.qualityScore,
    rejectedReason: t.rejectedReason,
    rejectionInfo: t.rejectionInfo ?? null,
    statusChangedAt: t.statusChangedAt.toISOString(),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function toTemplatePreviewResponse(r: RenderResult): TemplatePreviewResponse {
  if (!r.ok) {
    return r.reason === 'missing_attribute'
      ? { rendered: false, skipReason: r.reason, missingAttribute: r.attribute }
      : { rendered: false, skipReason: r.reason, location: r.location, problem: r.message };
  }
  return { rendered: true, ...r.preview, components: r.components };
}
