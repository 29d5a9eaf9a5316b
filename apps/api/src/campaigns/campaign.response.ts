import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CAMPAIGN_STATUSES,
  MESSAGE_STATUSES,
  PRODUCT_POLICIES,
  USER_ACTIONS,
  userActions,
  type CampaignMessageRecord,
  type CampaignRecord,
  type TestSendResult,
  type UserAction,
} from '@app/campaigns';

export class CampaignCountsResponse {
  @ApiProperty() targeted!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty({ description: 'waiting to be sent' }) queued!: number;
  @ApiProperty({ description: 'claimed by a worker or in flight to Meta (including inDoubt)' })
  sending!: number;
  @ApiProperty({
    description:
      "requested, but Meta's answer was lost: settled by its status webhook, or sent again after SEND_RESEND_AFTER_MS without one",
  })
  inDoubt!: number;
  @ApiProperty({ description: 'accepted by Meta (including those delivered/read later)' })
  sent!: number;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
  @ApiProperty() clicked!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'failed messages sent again by POST /retry' }) retried!: number;
  @ApiProperty({ description: 'retried messages Meta has accepted since' }) recovered!: number;
  @ApiProperty({ description: 'kept out as the control group (also in skipped)' }) holdout!: number;
  @ApiProperty({
    description:
      "accepted (in sent), but neither delivered nor read within the template's TTL: Meta dropped them",
  })
  expired!: number;
}

export class CampaignVariantResponse {
  @ApiProperty() key!: string;
  @ApiProperty() templateId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters!: unknown;
  @ApiProperty() weight!: number;
}

export class AbTestResponse {
  @ApiProperty() testPercent!: number;
  @ApiProperty({ enum: ['read', 'click', 'conversion'] }) metric!: string;
  @ApiProperty() decideAfterMinutes!: number;
  @ApiProperty() minPerVariant!: number;
}

export class WinnerResponse {
  @ApiProperty() key!: string;
  @ApiProperty() decidedAt!: string;
  @ApiProperty({ enum: ['rule', 'hand'] }) by!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'best against the runner-up' })
  pValue!: number | null;
  @ApiProperty() significant!: boolean;
}

export class CampaignExclusionResponse {
  @ApiPropertyOptional() audienceId?: string;
  @ApiPropertyOptional() segmentId?: string;
}

export class SendWindowResponse {
  @ApiProperty({ example: '09:00' }) start!: string;
  @ApiProperty({ example: '20:00' }) end!: string;
  @ApiProperty({ example: 'America/Sao_Paulo' }) timezone!: string;
  @ApiPropertyOptional() perContactTimezone?: boolean;
}

export class CampaignResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why it is paused, failed or cancelled',
  })
  statusReason!: string | null;
  @ApiProperty() templateId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the target: an audience…' })
  audienceId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: '…or a segment…' })
  segmentId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "…or, for a follow-up, the parent campaign's recipients with followUpOutcome",
  })
  parentCampaignId!: string | null;
  @ApiProperty({ nullable: true, type: String }) followUpOutcome!: string | null;
  @ApiProperty({ type: [CampaignExclusionResponse] }) exclude!: CampaignExclusionResponse[];
  @ApiProperty({ description: 'share of the target kept out as a control group (0–50)' })
  holdoutPercent!: number;
  @ApiProperty({ type: [CampaignVariantResponse], description: 'A/B variants (empty: none)' })
  variants!: CampaignVariantResponse[];
  @ApiProperty({ type: AbTestResponse, nullable: true }) abTest!: AbTestResponse | null;
  @ApiProperty({ type: WinnerResponse, nullable: true }) winner!: WinnerResponse | null;
  @ApiProperty() phoneNumberId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters!: unknown;
  @ApiProperty({ nullable: true, type: String }) scheduledAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) throughputMps!: number | null;
  @ApiProperty({ nullable: true, type: SendWindowResponse })
  sendWindow!: SendWindowResponse | null;
  @ApiProperty({ enum: ['send', 'fail'] }) latePolicy!: string;
  @ApiProperty({ enum: PRODUCT_POLICIES, description: "MM API's product_policy" })
  productPolicy!: string;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    description: 'message_activity_sharing sent with each message (null: none, the WABA setting)',
  })
  messageActivitySharing!: boolean | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'a campaign the engine held (status paused, reason template_syncing) resumes by itself then',
  })
  resumeAt!: string | null;
  @ApiProperty({ type: CampaignCountsResponse }) counts!: CampaignCountsResponse;
  @ApiProperty({
    enum: USER_ACTIONS,
    isArray: true,
    description: 'what POST /v1/campaigns/:id/<action> accepts in this status',
  })
  actions!: UserAction[];
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class CampaignListResponse {
  @ApiProperty({ type: [CampaignResponse] }) data!: CampaignResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TrackedLinkResponse {
  @ApiProperty({ description: 'the link is ${PUBLIC_LINK_BASE_URL}/r/<token>' }) token!: string;
  @ApiProperty() target!: string;
  @ApiProperty() clicks!: number;
  @ApiProperty({ nullable: true, type: String }) firstClickAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastClickAt!: string | null;
}

export class CampaignMessageResponse {
  @ApiProperty() id!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty() phone!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) skipReason!: string | null;
  @ApiProperty({ description: 'times it was sent again by POST /retry' }) retries!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the A/B variant it was sent with (the winner for the rest of the target)',
  })
  variant!: string | null;
  @ApiProperty({ type: () => [TrackedLinkResponse] }) trackedLinks!: TrackedLinkResponse[];
  @ApiProperty({ nullable: true, type: String }) wamid!: string | null;
  @ApiProperty({ nullable: true, type: Number }) errorCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) errorTitle!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Meta's error details" })
  errorDetails!: string | null;
  @ApiProperty({ description: 'requests sent to Meta for this message' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastRequestAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'sent with a TTL template: when Meta drops it undelivered (accepted + TTL, frozen at send); past it without a delivered status the message is expired',
  })
  expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) readAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) failedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) clickedAt!: string | null;
}

export class CampaignMessageListResponse {
  @ApiProperty({ type: [CampaignMessageResponse] }) data!: CampaignMessageResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PlanMessagingLimitResponse {
  @ApiProperty({ nullable: true, type: Number, description: 'null: unlimited' })
  perDay!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'unique recipients left in 24 h' })
  remaining!: number | null;
  @ApiProperty({ description: 'every eligible recipient fits in what is left now' })
  fitsNow!: boolean;
  @ApiProperty({ description: 'eligible recipients that wait for the limit to free up' })
  heldByLimit!: number;
}

export class PlanCountryCostResponse {
  @ApiProperty({ example: '55' }) callingCode!: string;
  @ApiProperty() recipients!: number;
  @ApiProperty() cost!: number;
}

export class PlanVariantResponse {
  @ApiProperty() key!: string;
  @ApiProperty() templateId!: string;
  @ApiProperty() recipients!: number;
}

export class PlanAbTestResponse {
  @ApiProperty() test!: number;
  @ApiProperty() rest!: number;
  @ApiProperty({ type: [PlanVariantResponse] }) variants!: PlanVariantResponse[];
}

export class PlanCostResponse {
  @ApiProperty({ nullable: true, type: String, example: 'USD' }) currency!: string | null;
  @ApiProperty() total!: number;
  @ApiProperty({ type: [PlanCountryCostResponse] }) byCountry!: PlanCountryCostResponse[];
  @ApiProperty({ description: 'eligible recipients of countries missing from the rate card' })
  unpriced!: number;
}

export class PlanBindingProblemResponse {
  @ApiProperty({ example: 'card 2 body param 1', description: 'where in the message' })
  location!: string;
  @ApiProperty({ example: 'parameters.cards[1].body[0]', description: 'the path in parameters' })
  field!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the A/B variant, if any' })
  variant!: string | null;
  @ApiProperty({ enum: ['invalid_binding', 'missing_field', 'invalid_value'] })
  kind!: 'invalid_binding' | 'missing_field' | 'invalid_value';
  @ApiProperty({ nullable: true, type: String, example: 'attributes.city' })
  contactField!: string | null;
  @ApiProperty({ description: 'opted-in contacts of the target concerned' }) contacts!: number;
  @ApiProperty({
    description:
      'true: launch is refused (400); false: those contacts are skipped (missing_attribute)',
  })
  blocking!: boolean;
  @ApiProperty({
    example:
      "card 2 body param 1: contact field 'attributes.city' missing for 13 contacts (they are skipped)",
  })
  message!: string;
}

export class CampaignPlanResponse {
  @ApiProperty() eligible!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { no_opt_in: 12, opted_out: 3 },
  })
  skipped!: Record<string, number>;
  @ApiProperty() audienceSize!: number;
  @ApiProperty({ description: 'Messages per second the governor will send at' }) rateMps!: number;
  @ApiProperty({ type: PlanMessagingLimitResponse })
  messagingLimit!: PlanMessagingLimitResponse;
  @ApiProperty() etaSeconds!: number;
  @ApiProperty({ type: PlanCostResponse }) cost!: PlanCostResponse;
  @ApiProperty({
    type: () => PlanAbTestResponse,
    nullable: true,
    description: 'A/B: the test share per variant and the rest (sent with the winner)',
  })
  abTest!: PlanAbTestResponse | null;
  @ApiProperty({
    type: [PlanBindingProblemResponse],
    description: 'every binding problem by component and index, checked against the target',
  })
  bindings!: PlanBindingProblemResponse[];
}

export class TestSendResultResponse {
  @ApiProperty() phone!: string;
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional() wamid?: string;
  @ApiPropertyOptional() skipReason?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) error?: {
    code: number;
    message: string;
  };
}

export class CampaignTestResponse {
  @ApiProperty({ type: [TestSendResultResponse] }) results!: TestSendResult[];
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function toCampaignResponse(c: CampaignRecord): CampaignResponse {
  const { billable: _billable, ...counts } = c.counts;
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    statusReason: c.statusReason,
    templateId: c.templateId,
    audienceId: c.audienceId,
    segmentId: c.segmentId,
    parentCampaignId: c.parentCampaignId,
    followUpOutcome: c.followUpOutcome,
    exclude: c.exclude,
    holdoutPercent: c.holdoutPercent,
    variants: c.variants.map((v) => ({
      key: v.key,
      templateId: v.templateId,
      parameters: v.parameters,
      weight: v.weight,
    })),
    abTest: c.abTest,
    winner:
      c.winnerKey && c.winnerDecidedAt && c.winnerDecision
        ? {
            key: c.winnerKey,
            decidedAt: c.winnerDecidedAt.toISOString(),
            by: c.winnerDecision.by,
            pValue: c.winnerDecision.pValue,
            significant: c.winnerDecision.significant,
          }
        : null,
    phoneNumberId: c.phoneNumberId,
    parameters: c.parameters,
    scheduledAt: iso(c.scheduledAt),
    throughputMps: c.throughputMps,
    sendWindow: c.sendWindow,
    latePolicy: c.latePolicy,
    productPolicy: c.productPolicy,
    messageActivitySharing: c.messageActivitySharing,
    resumeAt: iso(c.resumeAt),
    counts,
    actions: userActions(c.status),
    startedAt: iso(c.startedAt),
    completedAt: iso(c.completedAt),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toCampaignMessageResponse(m: CampaignMessageRecord): CampaignMessageResponse {
  return {
    id: m.id,
    contactId: m.contactId,
    phone: m.phone,
    status: m.status,
    skipReason: m.skipReason,
    wamid: m.wamid,
    errorCode: m.errorCode,
    errorTitle: m.errorTitle,
    retries: m.retries,
    variant: m.variant,
    trackedLinks: m.trackedLinks.map((l) => ({
      token: l.token,
      target: l.target,
      clicks: l.clicks,
      firstClickAt: iso(l.firstClickAt),
      lastClickAt: iso(l.lastClickAt),
    })),
    errorDetails: m.errorDetails,
    attempts: m.attempts,
    lastRequestAt: iso(m.lastRequestAt),
    expiresAt: iso(m.expiresAt),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    failedAt: iso(m.failedAt),
    clickedAt: iso(m.clickedAt),
  };
}

export class CampaignRetryResponse {
  @ApiProperty({ description: 'failed messages queued to be sent again' }) requeued!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'failed messages left as they are, by error code',
    example: { '131026': 4 },
  })
  notRetryable!: Record<string, number>;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'when the first requeued message may go (131049: 24 h after its failure)',
  })
  notBefore!: string | null;
}
