import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RenderResult, TemplateRecord } from '@app/templates';

export class TemplateResponse {
  @ApiProperty() id!: string;
  @ApiProperty() businessAccountId!: string;
  @ApiProperty({ nullable: true, type: String }) metaTemplateId!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty() language!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ nullable: true, type: String }) previousCategory!: string | null;
  @ApiProperty() parameterFormat!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) components!: unknown[];
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
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) buttons?: unknown[];
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
