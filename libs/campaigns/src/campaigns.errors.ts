import { DomainError } from '@app/common';

export type CampaignsErrorCode =
  | 'CAMPAIGN_NOT_FOUND'
  | 'CAMPAIGN_INVALID'
  | 'ILLEGAL_TRANSITION'
  | 'TEMPLATE_NOT_APPROVED'
  | 'TEMPLATE_NOT_MARKETING'
  | 'SEND_TIME_IN_PAST'
  | 'TEMPLATE_IN_USE'
  | 'VARIANT_NOT_FOUND'
  | 'WINNER_ALREADY_DECIDED'
  | 'RATE_CARD_EXISTS';

export class CampaignNotFoundError extends DomainError<CampaignsErrorCode> {
  readonly code = 'CAMPAIGN_NOT_FOUND';
  constructor(id: string) {
    super(`campaign ${id} not found`);
  }
}

export class CampaignInvalidError extends DomainError<CampaignsErrorCode> {
  readonly code = 'CAMPAIGN_INVALID';
  constructor(problems: Array<{ field: string; message: string }>) {
    super(
      `campaign is not valid: ${problems.map((p) => p.field).join(', ')}`,
      problems.map((p) => ({ field: p.field, problems: [p.message] })),
    );
  }
}

export class IllegalTransitionError extends DomainError<CampaignsErrorCode> {
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(status: string, action: string) {
    super(`cannot ${action} a campaign that is ${status}`, { status, action });
  }
}

export class TemplateNotApprovedError extends DomainError<CampaignsErrorCode> {
  readonly code = 'TEMPLATE_NOT_APPROVED';
  constructor(status: string) {
    super(`the template is ${status}; only an APPROVED template can be sent`, {
      templateStatus: status,
    });
  }
}

export class TemplateNotMarketingError extends DomainError<CampaignsErrorCode> {
  readonly code = 'TEMPLATE_NOT_MARKETING';
  constructor(category: string) {
    super(`MM Lite sends MARKETING templates only; this template is ${category}`, { category });
  }
}

export class SendTimeInPastError extends DomainError<CampaignsErrorCode> {
  readonly code = 'SEND_TIME_IN_PAST';
  constructor(at: Date) {
    super(`scheduledAt ${at.toISOString()} is in the past`, { scheduledAt: at.toISOString() });
  }
}

/** A template that a campaign not yet finished (draft, scheduled, running, paused) will send. */
export class TemplateInUseError extends DomainError<CampaignsErrorCode> {
  readonly code = 'TEMPLATE_IN_USE';
  constructor(templateId: string, campaignIds: string[]) {
    super(
      `template ${templateId} is used by campaigns that are not finished (${campaignIds.join(', ')}); cancel them or let them finish first`,
      { campaignIds },
    );
  }
}

export class VariantNotFoundError extends DomainError<CampaignsErrorCode> {
  readonly code = 'VARIANT_NOT_FOUND';
  constructor(campaignId: string, key: string) {
    super(`campaign ${campaignId} has no A/B variant "${key}"`);
  }
}

export class WinnerAlreadyDecidedError extends DomainError<CampaignsErrorCode> {
  readonly code = 'WINNER_ALREADY_DECIDED';
  constructor(campaignId: string, winner: string) {
    super(`the A/B test of campaign ${campaignId} has already been decided: "${winner}" won`);
  }
}

/** A rate card row for this calling code, category and day exists already (rows are never edited). */
export class RateCardExistsError extends DomainError<CampaignsErrorCode> {
  readonly code = 'RATE_CARD_EXISTS';
  constructor(callingCode: string, category: string, effectiveFrom: string) {
    super(
      `a ${category} rate for calling code ${callingCode} effective from ${effectiveFrom} exists already`,
    );
  }
}
