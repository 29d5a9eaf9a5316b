import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { slotsOf, type RenderResult, type TemplateRecord } from '@app/templates';

export class TemplateButtonSlotResponse {
  @ApiProperty({ description: 'position among all buttons, from 0' }) index!: number;
  @ApiProperty({ enum: ['URL', 'COPY_CODE'] }) type!: 'URL' | 'COPY_CODE';
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
}

export class TemplatePreviewResponse {
  @ApiProperty({
    description: 'false when the contact lacks a bound attribute (the campaign would skip it)',
  })
  rendered!: boolean;
  @ApiPropertyOptional() skipReason?: string;
  @ApiPropertyOptional() missingAttribute?: string;
  @ApiPropertyOptional() text?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) header?: string | null;
  @ApiPropertyOptional() body?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) footer?: string | null;
  @ApiPropertyOptional({ type: [PreviewButtonResponse] }) buttons?: PreviewButtonResponse[];
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
    return { rendered: false, skipReason: r.reason, missingAttribute: r.attribute };
  }
  return { rendered: true, ...r.preview, components: r.components };
}
