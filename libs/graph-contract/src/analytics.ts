import type { OpenString } from './messages';
/** Analytics the reports need (MMLITE.md §7). */

/** `product_type` of `template_analytics`: omit it and Meta answers Cloud API data only. */
export type TemplateAnalyticsProductType = 'CLOUD_API' | 'MARKETING_MESSAGES_API_FOR_WHATSAPP';

export type TemplateAnalyticsMetric =
  | 'SENT'
  | 'DELIVERED'
  | 'READ'
  | 'CLICKED'
  | 'COST'
  | 'WEBSITE_ADD_TO_CART'
  | 'WEBSITE_CHECKOUTS_INITIATED'
  | 'WEBSITE_PURCHASES'
  | 'WEBSITE_PURCHASES_CONVERSION_VALUE'
  | 'WEBSITE_ADD_PAYMENT_INFO'
  | 'WEBSITE_ADD_TO_WISHLIST'
  | 'WEBSITE_COMPLETE_REGISTRATION'
  | 'WEBSITE_CUSTOM'
  | 'WEBSITE_LEAD'
  | 'WEBSITE_SEARCH'
  | 'WEBSITE_VIEW_CONTENT'
  | 'APP_ACTIVATIONS'
  | 'APP_ADD_TO_CART'
  | 'APP_CHECKOUTS_INITIATED'
  | 'APP_PURCHASES'
  | 'APP_PURCHASES_CONVERSION_VALUE'
  | 'APP_ADD_PAYMENT_INFO'
  | 'APP_ADD_TO_WISHLIST'
  | 'APP_COMPLETE_REGISTRATION'
  | 'APP_LEVEL_ACHIEVED'
  | 'APP_OTHER'
  | 'APP_RATE'
  | 'APP_SEARCH'
  | 'APP_TUTORIAL_COMPLETION'
  | 'APP_VIEW_CONTENT';

export const CONVERSION_METRICS: readonly TemplateAnalyticsMetric[] = [
  'WEBSITE_ADD_TO_CART',
  'WEBSITE_CHECKOUTS_INITIATED',
  'WEBSITE_PURCHASES',
  'WEBSITE_PURCHASES_CONVERSION_VALUE',
  'WEBSITE_ADD_PAYMENT_INFO',
  'WEBSITE_ADD_TO_WISHLIST',
  'WEBSITE_COMPLETE_REGISTRATION',
  'WEBSITE_CUSTOM',
  'WEBSITE_LEAD',
  'WEBSITE_SEARCH',
  'WEBSITE_VIEW_CONTENT',
  'APP_ACTIVATIONS',
  'APP_ADD_TO_CART',
  'APP_CHECKOUTS_INITIATED',
  'APP_PURCHASES',
  'APP_PURCHASES_CONVERSION_VALUE',
  'APP_ADD_PAYMENT_INFO',
  'APP_ADD_TO_WISHLIST',
  'APP_COMPLETE_REGISTRATION',
  'APP_LEVEL_ACHIEVED',
  'APP_OTHER',
  'APP_RATE',
  'APP_SEARCH',
  'APP_TUTORIAL_COMPLETION',
  'APP_VIEW_CONTENT',
];

export type TemplateClickType = 'url_button' | 'unique_url_button' | 'quick_reply_button';

/**
 * One data point of `template_analytics` (§7.1). Conversion keys (e.g. `website_purchases`) are
 * undocumented [?]: they are exposed as extra numeric keys and must be parsed generically.
 */
export interface TemplateAnalyticsDataPoint {
  template_id: string;
  start: number;
  end: number;
  sent?: number;
  delivered?: number;
  read?: number;
  clicked?: Array<{ type: TemplateClickType | OpenString; button_content: string; count: number }>;
  cost?: Array<{
    type: 'amount_spent' | 'cost_per_delivered' | 'cost_per_url_button_click' | OpenString;
    value: number;
  }>;
  [conversion: string]: unknown;
}

export interface TemplateAnalyticsResponse {
  data: Array<{
    granularity: 'DAILY' | OpenString;
    product_type: string;
    data_points: TemplateAnalyticsDataPoint[];
  }>;
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}

/** Marketing-API Insights fields for MM (§7.2); every value is a string. */
export const MM_INSIGHTS_FIELDS = [
  'marketing_messages_sent',
  'marketing_messages_delivered',
  'marketing_messages_read',
  'marketing_messages_link_btn_click',
  'marketing_messages_delivery_rate',
  'marketing_messages_read_rate',
  'marketing_messages_link_btn_click_rate',
  'marketing_messages_spend',
  'marketing_messages_cost_per_delivered',
  'marketing_messages_cost_per_link_btn_click',
  'marketing_messages_read_rate_benchmark',
  'marketing_messages_click_rate_benchmark',
] as const;

export type MmInsightsField = (typeof MM_INSIGHTS_FIELDS)[number];

/** One row of `GET /{ad-id}/insights` (§7.2): `date_start`/`date_stop` plus the requested fields, as strings. */
export type MmInsightsRow = { date_start: string; date_stop: string } & Partial<
  Record<MmInsightsField, string>
> &
  Record<string, string | undefined>;

export interface MmInsightsResponse {
  data: MmInsightsRow[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}
