import type { OpenString } from './messages';
import type {
  GraphQualityScore,
  GraphTemplateCategory,
  GraphTemplateRejectionReason,
  GraphTemplateStatus,
} from './templates';

/** Webhooks Meta POSTs to the callback URL (MMLITE.md §4). */

/** Error item of a failed status, of `value.errors[]` and of unsupported inbound messages (§4.5). */
export interface WebhookError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details: string };
  href?: string;
}

/** `pricing.category` values (§4.5); kept open because Meta adds categories. */
export type PricingCategory =
  | 'marketing'
  | 'marketing_lite'
  | 'utility'
  | 'authentication'
  | 'authentication_international'
  | 'authentication-international'
  | 'service'
  | 'referral_conversion'
  | OpenString;

export interface WebhookPricing {
  billable?: boolean;
  pricing_model: 'PMP' | 'CBP' | OpenString;
  type?: 'regular' | 'free_customer_service' | 'free_entry_point' | OpenString;
  category: PricingCategory;
}

export const WEBHOOK_STATUS_VALUES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type WebhookStatusValue = (typeof WEBHOOK_STATUS_VALUES)[number];

/** One item of `value.statuses[]` (§4.5). `timestamp` is a string of unix seconds. */
export interface WebhookStatus {
  id: string;
  status: WebhookStatusValue;
  timestamp: string;
  recipient_id: string;
  recipient_user_id?: string;
  biz_opaque_callback_data?: string;
  conversation?: {
    id: string;
    expiration_timestamp?: string;
    origin: { type: PricingCategory };
  };
  pricing?: WebhookPricing;
  errors?: WebhookError[];
}

/** One item of `value.messages[]`: what a user sent us (§4.6). */
export interface WebhookInboundMessage {
  /** Left out for a username user the business has not talked to in 30 days (2026). */
  from?: string;
  /** The sender's BSUID (2026). */
  from_user_id?: string;
  id: string;
  timestamp: string;
  type: 'text' | 'button' | 'interactive' | 'image' | 'reaction' | 'unsupported' | OpenString;
  context?: { from: string; id: string };
  text?: { body: string };
  button?: { payload: string; text: string };
  interactive?:
    | { type: 'button_reply'; button_reply: { id: string; title: string } }
    | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } };
  errors?: WebhookError[];
  /** `type: system`; `user_preference_changed` carries the marketing preference (2026). */
  system?: { type: 'user_preference_changed' | OpenString; marketing?: string; body?: string };
}

export interface WebhookContact {
  wa_id?: string;
  profile?: { name: string; username?: string };
  user_id?: string;
  parent_user_id?: string;
}

/** Where the user clicked a marketing message: its call-to-action button or a link in its body. */
export type LinkClickComponent = 'cta' | 'body';

/**
 * MM link click (§4.7), an item of `value.user_actions[]` on field `messages`. Not available to all
 * users; only for messages sent in the last 7 days; it names no wamid and no recipient. Meta marks
 * every click-data field optional (the engine needs `click_id` to store a click once).
 */
export interface WebhookUserAction {
  action_type: 'marketing_messages_link_click' | OpenString;
  /** Unix seconds, as a string. */
  timestamp: string;
  marketing_messages_link_click_data?: {
    click_component?: LinkClickComponent | OpenString;
    /** The product's id, if one was assigned in Ads Manager or the Marketing API. */
    product_id?: string;
    /** Unique per click; Meta also appends it to the landing URL. */
    click_id?: string;
    tracking_token?: string;
  };
}

export interface WebhookMetadata {
  display_phone_number: string;
  phone_number_id: string;
}

/** `value` of a `messages` change (§4.4). */
export interface MessagesChangeValue {
  messaging_product: 'whatsapp';
  metadata: WebhookMetadata;
  contacts?: WebhookContact[];
  messages?: WebhookInboundMessage[];
  statuses?: WebhookStatus[];
  errors?: WebhookError[];
  user_actions?: WebhookUserAction[];
}

/** `value` of `message_template_status_update` (§3.7). `message_template_id` is a number here. */
export interface TemplateStatusUpdateValue {
  event: GraphTemplateStatus;
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
  reason: GraphTemplateRejectionReason | OpenString | null;
  message_template_category?: GraphTemplateCategory;
  rejection_info?: { reason: string; recommendation: string };
  disable_info?: { disable_date: number };
  other_info?: {
    title:
      'FIRST_PAUSE' | 'SECOND_PAUSE' | 'RATE_LIMITING_PAUSE' | 'UNPAUSE' | 'DISABLED' | OpenString;
    description: string;
  };
}

/** `value` of `message_template_quality_update` (§3.7). */
export interface TemplateQualityUpdateValue {
  previous_quality_score: GraphQualityScore;
  new_quality_score: GraphQualityScore;
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
}

/** `value` of `template_category_update`, impending (with `correct_category`) or completed (§3.7). */
export interface TemplateCategoryUpdateValue {
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
  new_category: GraphTemplateCategory;
  previous_category?: GraphTemplateCategory;
  correct_category?: GraphTemplateCategory;
  category_update_timestamp?: number;
}

/** `value` of `user_preferences` (§8). `timestamp` is an integer here. */
export interface UserPreferencesValue {
  messaging_product: 'whatsapp';
  metadata: WebhookMetadata;
  contacts: Array<{ wa_id?: string; user_id?: string }>;
  user_preferences: Array<{
    /** Left out for a username user Meta names by BSUID only (2026). */
    wa_id?: string;
    user_id?: string;
    detail: string;
    category: 'marketing_messages' | OpenString;
    value: 'stop' | 'resume' | OpenString;
    timestamp: number;
  }>;
}

export type WebhookChange =
  | { field: 'messages'; value: MessagesChangeValue }
  | { field: 'message_template_status_update'; value: TemplateStatusUpdateValue }
  | { field: 'message_template_quality_update'; value: TemplateQualityUpdateValue }
  | { field: 'template_category_update'; value: TemplateCategoryUpdateValue }
  | { field: 'user_preferences'; value: UserPreferencesValue };

/** The envelope of every WhatsApp webhook POST (§4.4); may batch many entries, changes and statuses. */
export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: Array<{
    /** Usually the WABA id. */
    id: string;
    /** Unix seconds; present on non-`messages` fields. */
    time?: number;
    changes: WebhookChange[];
  }>;
}
