import type { Touch } from './domain/attribution';

export interface RejectedEvent {
  index: number;
  reason: string;
}

/** The answer to one conversions batch (API.md `202 { accepted, duplicates, rejected }`). */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Of the accepted events, how many were attributed to a campaign message. */
  attributed: number;
  rejected: RejectedEvent[];
}

/** One valid event, resolved to a contact (null: a phone we have no contact for). */
export interface ResolvedEvent {
  index: number;
  eventId: string;
  eventName: string;
  contactId: string | null;
  phone: string | null;
  value: number | null;
  currency: string | null;
  occurredAt: Date;
  messageId: string | null;
  campaignId: string | null;
  touch: Touch | null;
  touchedAt: Date | null;
}

export interface AttributionSettings {
  attributionWindowDays: number;
}

/** What the insight fetcher needs to call the Graph API for one template. */
export interface InsightTarget {
  templateId: string;
  workspaceId: string;
  businessAccountId: string;
  wabaId: string;
  metaTemplateId: string;
  /** Earliest start of a campaign of this template (analytics are fetched from that day). */
  firstStartedAt: Date;
}

export interface BenchmarkSnapshot {
  templateId: string;
  asOf: string;
  periodStart: string | null;
  readRate: number | null;
  clickRate: number | null;
  adId: string;
  raw: Record<string, string | undefined>;
}

export interface TemplateDayMetrics {
  templateId: string;
  day: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  cost: number | null;
  conversions: Record<string, number>;
}
