/** Business Management API — message templates (MMLITE.md §3). */

export type GraphTemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** Template status / `message_template_status_update` event values (§3.5). */
/** Template statuses and webhook events (MMLITE §3.5); only APPROVED can be sent. */
export const GRAPH_TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'FLAGGED',
  'IN_APPEAL',
  'REINSTATED',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'UNARCHIVED',
  'LIMIT_EXCEEDED',
  'LOCKED',
] as const;

export type GraphTemplateStatus = (typeof GRAPH_TEMPLATE_STATUSES)[number];

export type GraphTemplateRejectionReason =
  | 'ABUSIVE_CONTENT'
  | 'INCORRECT_CATEGORY'
  | 'INVALID_FORMAT'
  | 'NONE'
  | 'PROMOTIONAL'
  | 'SCAM'
  | 'TAG_CONTENT_MISMATCH'
  | 'CATEGORY_NOT_AVAILABLE';

export type GraphQualityScore = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

export interface GraphTemplateButton {
  /** `QUICK_REPLY` | `URL` | `PHONE_NUMBER` | `COPY_CODE` | `CATALOG` | … */
  type: string;
  text?: string;
  url?: string;
  phone_number?: string;
  example?: string[] | string;
}

/** A component on create / list (UPPERCASE types on create; Meta accepts either case). */
export interface GraphTemplateComponent {
  /** `HEADER` | `BODY` | `FOOTER` | `BUTTONS` | `CAROUSEL` | `LIMITED_TIME_OFFER`. */
  type: string;
  /** Header format: `TEXT` | `IMAGE` | `VIDEO` | `GIF` | `DOCUMENT` | `LOCATION`. */
  format?: string;
  text?: string;
  buttons?: GraphTemplateButton[];
  example?: {
    header_text?: string[];
    body_text?: string[][];
    header_handle?: string[];
    header_text_named_params?: Array<{ param_name: string; example: string }>;
    body_text_named_params?: Array<{ param_name: string; example: string }>;
  };
  cards?: Array<{ components: GraphTemplateComponent[] }>;
  limited_time_offer?: { text: string; has_expiration?: boolean };
}

/** Body of `POST /{waba-id}/message_templates` (§3.1). */
export interface TemplateCreateRequest {
  name: string;
  language: string;
  /** Case-insensitive on create. */
  category: GraphTemplateCategory | Lowercase<GraphTemplateCategory>;
  parameter_format?: 'positional' | 'named';
  message_send_ttl_seconds?: number;
  components: GraphTemplateComponent[];
  allow_category_change?: boolean;
  cta_url_link_tracking_opted_out?: boolean;
  degrees_of_freedom_spec?: Record<string, unknown>;
  optimization_spec?: { bid_strategy: string; bid_amount: number };
}

export interface TemplateCreateResponse {
  id: string;
  status: GraphTemplateStatus;
  category: GraphTemplateCategory;
}

/** A template as `GET /{waba-id}/message_templates` / `GET /{template-id}` return it (§3.2); fields are as requested. */
export interface GraphTemplate {
  id: string;
  name?: string;
  language?: string;
  category?: GraphTemplateCategory;
  status?: GraphTemplateStatus;
  components?: GraphTemplateComponent[];
  parameter_format?: 'POSITIONAL' | 'NAMED' | 'positional' | 'named';
  message_send_ttl_seconds?: number | null;
  rejected_reason?: GraphTemplateRejectionReason | null;
  quality_score?: { score: GraphQualityScore; date?: number };
  previous_category?: GraphTemplateCategory;
  correct_category?: GraphTemplateCategory;
  cta_url_link_tracking_opted_out?: boolean;
  sub_category?: string;
  /** MM only: the ad entities the template is mapped to (§1.5, §7.2). */
  ad_id?: string;
  ad_adset_id?: string;
  ad_campaign_id?: string;
  ad_account_id?: string;
}

/** Fields worth asking for when the engine syncs templates. */
export const TEMPLATE_FIELDS =
  'id,name,language,category,status,components,parameter_format,rejected_reason,quality_score,message_send_ttl_seconds';

/**
 * Body of a template edit, `POST /{template-id}` (§3.3). The engine edits only the TTL; null
 * removes it (Meta's default applies).
 */
export interface TemplateEditRequest {
  message_send_ttl_seconds?: number | null;
  category?: GraphTemplateCategory;
  components?: GraphTemplateComponent[];
}

/** Answer of `DELETE /{waba-id}/message_templates` and of template edits (§3.3). */
export interface GraphSuccess {
  success: boolean;
}
