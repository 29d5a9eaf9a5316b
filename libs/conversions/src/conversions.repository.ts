import { Database, type Sql, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import type { WorkspaceId } from '@app/common';
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS, type Touchpoint } from './domain/attribution';
import type { ResolvedEvent } from './conversions.types';

type Db = Sql;

export interface ContactTouchpoint extends Touchpoint {
  contactId: string;
}

/** All SQL of conversions: lookups for resolving events, candidates for attribution, the ledger. */
@Injectable()
export class ConversionsRepository {
  constructor(readonly db: Database) {}

  async windowDays(ws: WorkspaceId, db: Db = this.db): Promise<number> {
    const rows = await queryRows<{ window_days: number }>(
      db,
      `SELECT window_days FROM attribution_settings WHERE workspace_id = $1`,
      [ws],
    );
    return rows[0]?.window_days ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS;
  }

  async setWindowDays(ws: WorkspaceId, days: number): Promise<number> {
    const rows = await queryRows<{ window_days: number }>(
      this.db,
      `INSERT INTO attribution_settings (workspace_id, window_days) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET window_days = EXCLUDED.window_days, updated_at = now()
       RETURNING window_days`,
      [ws, days],
    );
    return (rows[0] as { window_days: number }).window_days;
  }

  async contactsByPhone(db: Db, ws: WorkspaceId, phones: string[]): Promise<Map<string, string>> {
    if (phones.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ id: string; phone: string }>(
      db,
      `SELECT id, phone FROM contacts WHERE workspace_id = $1 AND phone = ANY($2::text[])`,
      [ws, phones],
    );
    return new Map(rows.map((r) => [r.phone, r.id]));
  }

  async contactsById(
    db: Db,
    ws: WorkspaceId,
    ids: string[],
  ): Promise<Map<string, { phone: string }>> {
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ id: string; phone: string }>(
      db,
      `SELECT id, phone FROM contacts WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [ws, ids],
    );
    return new Map(rows.map((r) => [r.id, { phone: r.phone }]));
  }

  /** Campaign messages by wamid, only this workspace's: the contact they went to. */
  async contactsByWamid(
    db: Db,
    ws: WorkspaceId,
    wamids: string[],
  ): Promise<Map<string, { contactId: string; phone: string }>> {
    if (wamids.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ wamid: string; contact_id: string; phone: string }>(
      db,
      `SELECT cm.wamid, cm.contact_id, cm.phone
         FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id
        WHERE cm.wamid = ANY($2::text[]) AND c.workspace_id = $1`,
      [ws, wamids],
    );
    return new Map(rows.map((r) => [r.wamid, { contactId: r.contact_id, phone: r.phone }]));
  }

  /**
   * Messages of this workspace's campaigns that reached these contacts with a touch inside
   * [from, to] — the only ones that can win attribution for events in the batch.
   */
  async touchpoints(
    db: Db,
    ws: WorkspaceId,
    contactIds: string[],
    from: Date,
    to: Date,
  ): Promise<ContactTouchpoint[]> {
    if (contactIds.length === 0) {
      return [];
    }
    const rows = await queryRows<{
      id: string;
      campaign_id: string;
      contact_id: string;
      delivered_at: Date | null;
      read_at: Date | null;
      clicked_at: Date | null;
    }>(
      db,
      `SELECT cm.id, cm.campaign_id, cm.contact_id, cm.delivered_at, cm.read_at, cm.clicked_at
         FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id
        WHERE cm.contact_id = ANY($2::uuid[]) AND c.workspace_id = $1
          AND cm.status IN ('delivered', 'read')
          AND greatest(cm.delivered_at, cm.read_at, cm.clicked_at) >= $3
          AND least(cm.delivered_at, cm.read_at, cm.clicked_at) <= $4`,
      [ws, contactIds, from, to],
    );
    return rows.map((r) => ({
      messageId: String(r.id),
      campaignId: r.campaign_id,
      contactId: r.contact_id,
      deliveredAt: r.delivered_at,
      readAt: r.read_at,
      clickedAt: r.clicked_at,
    }));
  }

  /**
   * Inserts the events; an event id already stored (or repeated in the batch) is skipped by the
   * unique constraint. Then folds the newly inserted, attributed ones into the campaign aggregates
   * in the same transaction. Returns the inserted events.
   */
  async insert(tx: Db, ws: WorkspaceId, events: ResolvedEvent[]): Promise<ResolvedEvent[]> {
    if (events.length === 0) {
      return [];
    }
    const rows = await queryRows<{ event_id: string }>(
      tx,
      `INSERT INTO conversions (workspace_id, event_id, event_name, contact_id, phone, value, currency,
                                occurred_at, campaign_id, campaign_message_id, touch, touched_at)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::numeric[], $7::text[],
                                $8::timestamptz[], $9::uuid[], $10::bigint[], $11::text[], $12::timestamptz[])
       ON CONFLICT (workspace_id, event_id) DO NOTHING
       RETURNING event_id`,
      [
        ws,
        events.map((e) => e.eventId),
        events.map((e) => e.eventName),
        events.map((e) => e.contactId),
        events.map((e) => e.phone),
        events.map((e) => e.value),
        events.map((e) => e.currency),
        events.map((e) => e.occurredAt),
        events.map((e) => e.campaignId),
        events.map((e) => e.messageId),
        events.map((e) => e.touch),
        events.map((e) => e.touchedAt),
      ],
    );
    const inserted = new Set(rows.map((r) => r.event_id));
    // The first occurrence of an id in the batch is the one the INSERT kept.
    const kept: ResolvedEvent[] = [];
    for (const e of events) {
      if (inserted.delete(e.eventId)) {
        kept.push(e);
      }
    }
    await this.foldIntoCampaigns(
      tx,
      kept.filter((e) => e.campaignId !== null),
    );
    return kept;
  }

  private async foldIntoCampaigns(tx: Db, events: ResolvedEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    // Keys sorted so that concurrent batches lock aggregate rows in the same order.
    await tx.query(
      `INSERT INTO campaign_conversion_stats AS t (campaign_id, event_name, currency, events, value)
       SELECT campaign_id, event_name, coalesce(currency, ''), count(*), coalesce(sum(value), 0)
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[]) AS e(campaign_id, event_name, currency, value)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (campaign_id, event_name, currency) DO UPDATE
         SET events = t.events + EXCLUDED.events, value = t.value + EXCLUDED.value`,
      [
        events.map((e) => e.campaignId),
        events.map((e) => e.eventName),
        events.map((e) => e.currency),
        events.map((e) => e.value),
      ],
    );
    await tx.query(
      `WITH first AS (
         INSERT INTO campaign_converted_messages (campaign_message_id, campaign_id)
         SELECT DISTINCT m, c FROM unnest($1::bigint[], $2::uuid[]) AS e(m, c) ORDER BY 1
         ON CONFLICT DO NOTHING RETURNING campaign_id
       )
       INSERT INTO campaign_conversion_totals AS t (campaign_id, converted_messages)
       SELECT campaign_id, count(*) FROM first GROUP BY 1 ORDER BY 1
       ON CONFLICT (campaign_id) DO UPDATE SET converted_messages = t.converted_messages + EXCLUDED.converted_messages`,
      [events.map((e) => e.messageId), events.map((e) => e.campaignId)],
    );
  }
}
