import type { WorkspaceId } from '@app/common';
import type { CampaignOutcome, FilterNode, TargetSpec } from '@app/segments';
import { boundFields, type BindingProblem, type TemplateBindings } from '@app/templates';
import type { AbMetric, AbTest } from './domain/ab-test';
import type { CampaignStatus } from './domain/campaign-status';
import type { Counters } from './domain/counters';
import type { MessageStatus } from './delivery/domain/delivery-status';
import type { LatePolicy } from './domain/plan';
import type { SendWindow } from './domain/send-window';

export interface CampaignVariant {
  key: string;
  position: number;
  templateId: string;
  parameters: TemplateBindings;
  weight: number;
}

/** How the winner of an A/B test was chosen, with the figures it was chosen on. */
export interface WinnerDecision {
  by: 'rule' | 'hand';
  metric: AbMetric;
  /** The best variant against the runner-up (rule), null by hand or without data. */
  pValue: number | null;
  significant: boolean;
  results: Array<{ key: string; delivered: number; successes: number }>;
}

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
  /** A/B variants, in their order (empty: one template and its parameters). */
  variants: CampaignVariant[];
  abTest: AbTest | null;
  winnerKey: string | null;
  winnerDecidedAt: Date | null;
  winnerDecision: WinnerDecision | null;
  phoneNumberId: string;
  parameters: TemplateBindings;
  status: CampaignStatus;
  statusReason: string | null;
  scheduledAt: Date | null;
  latePolicy: LatePolicy;
  throughputMps: number | null;
  /** STRICT: fail when the WABA is not onboarded to MM; CLOUD_API_FALLBACK: Meta falls back. */
  productPolicy: ProductPolicy;
  /** Per-message override of the WABA's activity-sharing setting; null = not sent. */
  messageActivitySharing: boolean | null;
  /** When a campaign the engine held (134101) resumes by itself; null otherwise. */
  resumeAt: Date | null;
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
  /** Instead of one templateId/parameters: 2–5 variants (templateId/parameters are the first's). */
  variants?: Array<Omit<CampaignVariant, 'position'>>;
  abTest?: AbTest | null;
  phoneNumberId: string;
  parameters: TemplateBindings;
  scheduledAt?: Date | null;
  throughputMps?: number | null;
  sendWindow?: SendWindow | null;
  latePolicy?: LatePolicy;
  productPolicy?: ProductPolicy;
  messageActivitySharing?: boolean | null;
}

export const PRODUCT_POLICIES = ['STRICT', 'CLOUD_API_FALLBACK'] as const;
export type ProductPolicy = (typeof PRODUCT_POLICIES)[number];

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
  /** When Meta drops it if not delivered by then (its template's TTL, frozen at send); null: no TTL. */
  expiresAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  clickedAt: Date | null;
  pricingCategory: string | null;
  billable: boolean | null;
  /** The variant it was (or will be) sent with: its own, or the winner for the rest of a test. */
  variant: string | null;
  /** Clicks through its tracked links, per link that was clicked. */
  linkClicks: Array<{ linkIndex: number; clicks: number; firstClickAt: Date; lastClickAt: Date }>;
  /** Its tracked links (one per distinct target of its bindings), with their clicks. */
  trackedLinks: Array<{
    token: string;
    target: string;
    clicks: number;
    firstClickAt: Date | null;
    lastClickAt: Date | null;
  }>;
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
  /** An A/B campaign: the test share per variant, and the rest that gets the winner. */
  abTest: {
    test: number;
    rest: number;
    variants: Array<{ key: string; templateId: string; recipients: number }>;
  } | null;
  /** Binding problems by component and index; a blocking one refuses the launch. */
  bindings: BindingProblem[];
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

/**
 * The contact fields a campaign's templates bind, as paths: every variant's (the rest of an A/B
 * test is sent with a winner not known at the snapshot), so each message freezes all of them.
 */
export function boundPathsOf(c: Pick<CampaignRecord, 'parameters' | 'variants'>): string[][] {
  const fields = new Set<string>(boundFields(c.parameters));
  for (const v of c.variants) {
    boundFields(v.parameters).forEach((f) => fields.add(f));
  }
  return [...fields].map((f) => f.split('.'));
}
