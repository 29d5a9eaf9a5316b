import type { WorkspaceId } from '@app/common';
import type {
  ParameterFormat,
  TemplateCategory,
  TemplateComponent,
  TemplateDefinition,
  TemplateStatus,
} from './domain/template-model';

export interface TemplateRecord extends TemplateDefinition {
  id: string;
  workspaceId: WorkspaceId;
  businessAccountId: string;
  metaTemplateId: string | null;
  previousCategory: string | null;
  status: TemplateStatus;
  rejectedReason: string | null;
  rejectionInfo: unknown;
  qualityScore: string | null;
  statusChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateCreate {
  businessAccountId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat?: ParameterFormat;
  components: TemplateComponent[];
  messageSendTtlSeconds?: number | null;
}

/** A template webhook event, already parsed (MMLITE.md §3.7). */
export type TemplateEvent =
  | {
      kind: 'status';
      wabaId: string | null;
      metaTemplateId: string;
      event: string;
      reason: string | null;
      rejectionInfo: unknown;
      otherInfo: unknown;
    }
  | { kind: 'quality'; wabaId: string | null; metaTemplateId: string; newQualityScore: string }
  | {
      kind: 'category';
      wabaId: string | null;
      metaTemplateId: string;
      newCategory: string;
      previousCategory: string | null;
    };

/** A template whose new status stops the campaigns that send it. */
export interface StoppedTemplate {
  templateId: string;
  workspaceId: WorkspaceId;
  status: TemplateStatus;
  reason: string | null;
}
