import type { CommonErrorCode } from '@app/common';
import type { AccountsErrorCode } from '@app/accounts';
import type { TemplatesErrorCode } from '@app/templates';
import type { WebhooksErrorCode } from '@app/webhooks';
import type { CampaignsErrorCode } from '@app/campaigns';
import type { AudiencesErrorCode } from '@app/audiences';
import type { IdempotencyErrorCode } from '@app/idempotency';
import type { SegmentsErrorCode } from '@app/segments';

/** Every domain error code has an HTTP status here; a new code without one is a compile error. */
type ErrorCode =
  | CommonErrorCode
  | AccountsErrorCode
  | TemplatesErrorCode
  | WebhooksErrorCode
  | AudiencesErrorCode
  | IdempotencyErrorCode
  | SegmentsErrorCode
  | CampaignsErrorCode;

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_INPUT: 400,
  BUSINESS_ACCOUNT_NOT_FOUND: 404,
  PHONE_NUMBER_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  GRAPH_AUTH_FAILED: 422,
  GRAPH_REQUEST_FAILED: 502,
  GRAPH_REQUEST_REFUSED: 422,
  GRAPH_RATE_LIMITED: 429,
  ROLE_FORBIDDEN: 403,
  API_RATE_LIMITED: 429,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_INVALID: 400,
  TEMPLATE_EXISTS: 409,
  TEMPLATE_REJECTED_BY_GRAPH: 422,
  TEMPLATE_NOT_SUBMITTED: 409,
  TEMPLATE_NOT_EDITABLE: 409,
  WEBHOOK_INGEST_BUSY: 503,
  WEBHOOK_EVENT_NOT_FOUND: 404,
  WEBHOOK_EVENT_NOT_DEAD: 409,
  CAMPAIGN_NOT_FOUND: 404,
  CAMPAIGN_INVALID: 400,
  ILLEGAL_TRANSITION: 409,
  TEMPLATE_NOT_APPROVED: 422,
  TEMPLATE_NOT_MARKETING: 422,
  SEND_TIME_IN_PAST: 422,
  TEMPLATE_IN_USE: 409,
  CONTACT_NOT_FOUND: 404,
  AUDIENCE_NOT_FOUND: 404,
  IMPORT_NOT_FOUND: 404,
  INVALID_PHONE: 400,
  INVALID_IMPORT_OPTIONS: 400,
  IMPORT_TOO_LARGE: 413,
  IMPORT_UPLOAD_INVALID: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_INVALID: 400,
  SEGMENT_NOT_FOUND: 404,
  VARIANT_NOT_FOUND: 404,
  WINNER_ALREADY_DECIDED: 409,
  RATE_CARD_EXISTS: 409,
  SEGMENT_INVALID: 400,
  SEGMENT_IN_USE: 409,
};

export function statusForCode(code: string): number {
  return (STATUS_BY_CODE as Record<string, number | undefined>)[code] ?? 500;
}
