import { Injectable } from '@nestjs/common';
import { queryRows, type Sql } from '@app/db';

/** A Meta link click to store, with the campaign message its tracking token names (if any). */
export interface MetaClickRow {
  /** Meta's phone number id. */
  phoneNumberId: string;
  at: Date;
  component: string | null;
  productId: string | null;
  clickId: string;
  trackingToken: string | null;
  /** From the tracking token; checked here against the message's campaign and number. */
  messageId: string | null;
  eventId: string;
}

/**
 * SQL of Meta's link clicks (`meta_link_clicks`). One statement per batch: a click whose token
 * names a campaign message sent from that very number goes to that message's workspace, with its
 * campaign and the template it was sent with (its variant's, or the winner's for the rest of an A/B
 * test); any other click goes, unattributed, to every workspace holding the number. Meta's
 * redelivery adds nothing (unique click id per workspace and number). Counts follow by trigger.
 */
@Injectable()
export class MetaClicksRepository {
  /** Stores the clicks; answers how many were new and how many of those were attributed. */
  async insert(
    tx: Sql,
    clicks: readonly MetaClickRow[],
  ): Promise<{ stored: number; attributed: number }> {
    if (clicks.length === 0) {
      return { stored: 0, attributed: 0 };
    }
    const rows = await queryRows<{ attributed: boolean }>(
      tx,
      `WITH i AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::bigint[], $8::bigint[])
                  AS i(number, at, component, product_id, click_id, token, message_id, event_id)
       ), owned AS (
         SELECT i.number, i.click_id, c.workspace_id, p.id AS phone_id, c.id AS campaign_id,
                cm.id AS message_id, coalesce(v.template_id, c.template_id) AS template_id
           FROM i
           JOIN campaign_messages cm ON cm.id = i.message_id
           JOIN campaigns c ON c.id = cm.campaign_id
           JOIN phone_numbers p ON p.id = c.phone_number_id AND p.phone_number_id = i.number
           LEFT JOIN campaign_variants v
                  ON v.campaign_id = c.id AND v.key = coalesce(cm.variant, c.winner_key)
       ), targets AS (
         SELECT o.workspace_id, o.phone_id, o.campaign_id, o.message_id, o.template_id,
                o.number, o.click_id
           FROM owned o
         UNION ALL
         SELECT p.workspace_id, p.id, NULL, NULL, NULL, i.number, i.click_id
           FROM i JOIN phone_numbers p ON p.phone_number_id = i.number
          WHERE NOT EXISTS (SELECT 1 FROM owned o WHERE o.number = i.number AND o.click_id = i.click_id)
       )
       INSERT INTO meta_link_clicks (workspace_id, phone_number_id, click_id, clicked_at, component,
                                     product_id, tracking_token, campaign_id, campaign_message_id,
                                     template_id, webhook_event_id)
       SELECT t.workspace_id, t.phone_id, i.click_id, i.at, i.component, i.product_id, i.token,
              t.campaign_id, t.message_id, t.template_id, i.event_id
         FROM targets t JOIN i ON i.number = t.number AND i.click_id = t.click_id
        ORDER BY t.workspace_id, t.phone_id, i.click_id
       ON CONFLICT (workspace_id, phone_number_id, click_id) DO NOTHING
       RETURNING campaign_id IS NOT NULL AS attributed`,
      [
        clicks.map((c) => c.phoneNumberId),
        clicks.map((c) => c.at),
        clicks.map((c) => c.component),
        clicks.map((c) => c.productId),
        clicks.map((c) => c.clickId),
        clicks.map((c) => c.trackingToken),
        clicks.map((c) => c.messageId),
        clicks.map((c) => c.eventId),
      ],
    );
    return { stored: rows.length, attributed: rows.filter((r) => r.attributed).length };
  }

  /**
   * Deletes up to `limit` clicks stored before `before`, oldest first; returns how many went. The
   * per-campaign and per-day counts stay (their trigger counts inserts only). Rows another worker
   * is deleting are skipped, so two workers' batches stay full and neither waits on the other.
   */
  async prune(db: Sql, before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      db,
      `DELETE FROM meta_link_clicks WHERE id IN (
         SELECT id FROM meta_link_clicks WHERE received_at < $1 ORDER BY received_at, id LIMIT $2
            FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}
