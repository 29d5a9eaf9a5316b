import type { WorkspaceId } from '@app/common';
import type { CampaignOutcome, FilterNode, TargetSpec } from '@app/segments';
import type { TemplateBindings } from '@app/templates';
import type { CampaignStatus } from './domain/campaign-status';
import type { Counters } from './domain/counters';
import type { MessageStatus } from './delivery/domain/delivery-status';
import type { LatePolicy } from './domain/plan';
import type { SendWindow } from './domain/send-window';

/** What a campaign is sent to besides its target: audiences or segments whose contacts are left out. */
export type CampaignExclusion = { audienceId: string } | { segmentId: string };

export interface CampaignRecord {
  id: string;
  workspaceId: WorkspaceId;
  name: string;
  templateId: string;
  /** The target: exactly one of audienceId, segmentId, parentCampaignId (+ followUpOutcome). */
  audienceId: string | null;
  segmentId: string | null;
  parentCampaignId: string | null;
  followUpOutcome: CampaignOutcome | null;
  exclude: CampaignExclusion[];
  /** Share of the (eligible) target kept out as a control group, 0–50. */
  holdoutPercent: number;
  /** The target as resolved when the snapshot started, and when (null before). */
  targetFilter: FilterNode | null;
  targetReferenceAt: Date | null;
  phoneNumberId: string;
  parameters: TemplateBindings;
  status: CampaignStatus;
  statusReason: string | null;
  scheduledAt: Date | null;
  latePolicy: LatePolicy;
  throughputMps: number | null;
  sendWindow: SendWindow | null;
  targetedAt: Date | null;
  startedAt: Date | null;
  pausedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  failedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  counts: Counters;
}

export interface CampaignCreate {
  name: string;
  templateId: string;
  audienceId?: string | null;
  segmentId?: string | null;
  followUp?: { campaignId: string; outcome: CampaignOutcome } | null;
  exclude?: CampaignExclusion[];
  holdoutPercent?: number;
  phoneNumberId: string;
  parameters: TemplateBindings;
  scheduledAt?: Date | null;
  throughputMps?: number | null;
  sendWindow?: SendWindow | null;
  latePolicy?: LatePolicy;
}

export interface CampaignMessageRecord {
  id: string;
  contactId: string;
  phone: string;
  status: MessageStatus;
  skipReason: string | null;
  wamid: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  errorDetails: string | null;
  /** Manual retries (POST /retry) it has had. */
  retries: number;
  /** Requests actually sent for it. */
  attempts: number;
  lastRequestAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  clickedAt: Date | null;
  pricingCategory: string | null;
  billable: boolean | null;
}

export interface CampaignPlan {
  eligible: number;
  skipped: Record<string, number>;
  audienceSize: number;
  rateMps: number;
  messagingLimit: {
    perDay: number | null;
    remaining: number | null;
    fitsNow: boolean;
    heldByLimit: number;
  };
  etaSeconds: number;
  cost: {
    currency: string | null;
    total: number;
    byCountry: Array<{ callingCode: string; recipients: number; cost: number }>;
    unpriced: number;
  };
}

export interface TestSendResult {
  phone: string;
  ok: boolean;
  wamid?: string;
  error?: { code: number; message: string };
  skipReason?: string;
}

/** What a campaign targets, as the segments library resolves it into a filter. */
export function targetSpecOf(
  c: Pick<
    CampaignRecord,
    'audienceId' | 'segmentId' | 'parentCampaignId' | 'followUpOutcome' | 'exclude'
  >,
): TargetSpec {
  return {
    audienceId: c.audienceId,
    segmentId: c.segmentId,
    followUp:
      c.parentCampaignId && c.followUpOutcome
        ? { campaignId: c.parentCampaignId, outcome: c.followUpOutcome }
        : null,
    exclude: c.exclude,
  };
}
