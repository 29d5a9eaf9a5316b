/**
 * A string union left open for values Meta may add: known literals still autocomplete, any string
 * type-checks (plain `| string` would swallow the literals).
 */
export type OpenString = string & Record<never, never>;

/** Send side of MM Lite (`/marketing_messages`) and Cloud API (`/messages`) — MMLITE.md §1.2, §1.3, §2. */

/** A parameter of a template component on send (§2.3). Open: Meta adds parameter types. */
export type GraphSendParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | {
      type: 'currency';
      currency: { fallback_value: string; code: string; amount_1000: number };
      parameter_name?: string;
    }
  | { type: 'date_time'; date_time: { fallback_value: string }; parameter_name?: string }
  | { type: 'image'; image: { id?: string; link?: string } }
  | { type: 'video'; video: { id?: string; link?: string } }
  | { type: 'document'; document: { id?: string; link?: string; filename?: string } }
  | {
      type: 'location';
      location: { latitude: string; longitude: string; name?: string; address?: string };
    }
  | { type: 'payload'; payload: string }
  | { type: 'coupon_code'; coupon_code: string }
  | { type: 'limited_time_offer'; limited_time_offer: { expiration_time_ms: number } }
  | { type: 'action'; action: Record<string, unknown> };

export interface GraphSendComponent {
  /** `header` | `body` | `button` | `carousel` | `limited_time_offer` (Meta accepts either case). */
  type: string;
  sub_type?: string;
  /** Zero-based button position; Meta examples use both strings and numbers. */
  index?: string | number;
  parameters?: GraphSendParameter[];
  cards?: Array<{ card_index: number; components: GraphSendComponent[] }>;
}

export interface GraphTemplateRef {
  name: string;
  language: { code: string; policy?: string };
  components?: GraphSendComponent[];
}

/** Body of `POST /{phone-number-id}/marketing_messages` (§1.2). */
export interface MarketingMessageRequest {
  messaging_product: 'whatsapp';
  recipient_type?: 'individual';
  /** Phone number (E.164, `+` optional); wins over `recipient` when both are given. */
  to?: string;
  /** BSUID instead of `to` (disables MM optimisation). */
  recipient?: string;
  type: 'template';
  template: GraphTemplateRef;
  product_policy?: 'CLOUD_API_FALLBACK' | 'STRICT';
  message_activity_sharing?: boolean;
  bid_spec?: { per_message_bid_multiplier: number };
  /** Echoed in status webhooks on `/messages`; unconfirmed on `/marketing_messages` (§10.3). */
  biz_opaque_callback_data?: string;
}

/** Body of `POST /{phone-number-id}/messages` (Cloud API): a template or any other message type. */
export interface CloudMessageRequest {
  messaging_product: 'whatsapp';
  recipient_type?: 'individual';
  to?: string;
  recipient?: string;
  /** `template`, `text`, `image`, `interactive`, … */
  type: string;
  template?: GraphTemplateRef;
  text?: { body: string; preview_url?: boolean };
  context?: { message_id: string };
  biz_opaque_callback_data?: string;
  [extra: string]: unknown;
}

/** `messages[].message_status` values seen (§1.3, §3.6); kept open. */
export type GraphMessageStatus = 'accepted' | 'held_for_quality_assessment' | 'paused' | OpenString;

/** Synchronous answer to a send: 200 means accepted, not delivered (§1.3). */
export interface SendMessageResponse {
  messaging_product: 'whatsapp';
  contacts: Array<{ input: string; wa_id?: string; user_id?: string }>;
  messages: Array<{ id: string; message_status?: GraphMessageStatus }>;
  /** Only in the OpenAPI rendering of the MM reference (§10.4); never depend on it. */
  success?: boolean;
}
