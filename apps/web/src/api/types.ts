// Short names for the API's answers the pages use (all from the generated schema).
import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type Campaign = Schemas['CampaignResponse'];
export type CampaignStatus = Campaign['status'];
export type CampaignAction = Campaign['actions'][number];
export type CampaignCounts = Schemas['CampaignCountsResponse'];
export type CampaignMessage = Schemas['CampaignMessageResponse'];
export type MessageStatus = CampaignMessage['status'];
export type CampaignPlan = Schemas['CampaignPlanResponse'];
export type CampaignReport = Schemas['CampaignReportResponse'];
export type CampaignCreate = Schemas['CampaignCreateRequest'];
export type TemplateParameters = Schemas['TemplateParametersRequest'];
export type Money = Schemas['MoneyResponse'];
export type Overview = Schemas['WorkspaceOverviewResponse'];
export type Audience = Schemas['AudienceResponse'];
export type Member = Schemas['MemberResponse'];
export type ImportJob = Schemas['ImportResponse'];
export type ImportAccepted = Schemas['ImportAcceptedResponse'];
export type Template = Schemas['TemplateResponse'];
export type TemplatePreview = Schemas['TemplatePreviewResponse'];
export type PhoneNumber = Schemas['PhoneNumberResponse'];
export type Contact = Schemas['ContactResponse'];
export type Segment = Schemas['SegmentResponse'];
export type SegmentCount = Schemas['SegmentCountResponse'];
/** A segment's filter tree (README, "The filter language"); the API validates it. */
export type SegmentFilter = Schemas['SegmentCreateRequest']['filter'];
export type FrequencyCap = Schemas['FrequencyCapResponse'];
export type CampaignFollowUp = Schemas['CampaignFollowUpRequest'];
/** The outcomes a follow-up (and a segment's campaign condition) can select. */
export type CampaignOutcome = CampaignFollowUp['outcome'];
export type CampaignRetryResult = Schemas['CampaignRetryResponse'];
export type CampaignExclusion = Schemas['CampaignExclusionRequest'];
export type CampaignVariant = Schemas['CampaignVariantRequest'];
export type AbTest = Schemas['AbTestRequest'];
export type AbTestMetric = AbTest['metric'];
export type VariantRow = Schemas['VariantRowResponse'];
export type Holdout = Schemas['HoldoutResponse'];

export type MessageFilter = NonNullable<
  operations['CampaignsController_messages']['parameters']['query']
>;

/** Statuses in which a campaign's numbers still move (a paused one's receipts keep coming): the app polls. */
export const LIVE_STATUSES: readonly CampaignStatus[] = ['scheduled', 'running', 'paused'];

export const isLive = (status: CampaignStatus | undefined): boolean =>
  status !== undefined && LIVE_STATUSES.includes(status);

/** Delivery and read receipts keep coming for a while after the last send. */
const SETTLE_MS = 10 * 60_000;

/**
 * Whether a campaign's figures may still move: while it is live, and for a while after it ended.
 * Reads the clock: call it from a query's refetchInterval, not while rendering.
 */
export function mayStillChange(c: Campaign | undefined): boolean {
  if (!c) {
    return false;
  }
  if (isLive(c.status)) {
    return true;
  }
  const ended = Date.parse(c.completedAt ?? c.updatedAt);
  return c.status !== 'draft' && Date.now() - ended < SETTLE_MS;
}
