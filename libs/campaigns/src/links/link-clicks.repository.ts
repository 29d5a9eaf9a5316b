import { Injectable } from '@nestjs/common';
import { Database, queryRows } from '@app/db';

export interface ClickInput {
  messageId: string;
  linkIndex: number;
  at: Date;
  /** A click to record; false for a link preview or HEAD (only looked up). */
  record: boolean;
}

export interface ClickedMessage {
  messageId: string;
  campaignId: string;
  /** Its variant, or the winner for the rest of an A/B test. */
  variant: string | null;
  expired: boolean;
}

/** SQL of tracked-link clicks. */
@Injectable()
export class LinkClicksRepository {
  constructor(private readonly db: Database) {}

  /**
   * One statement for a batch of redirects: looks up each message and records the clicks of
   * those not expired (per message and link: first, last, count). Nothing else is locked;
   * `projectFirstClicks` carries the first click over to the message. Answers the messages found.
   */
  async record(clicks: readonly ClickInput[], ttlDays: number): Promise<ClickedMessage[]> {
    const rows = await queryRows<{
      id: string;
      campaign_id: string;
      variant: string | null;
      expired: boolean;
    }>(
      this.db,
      `WITH c AS (
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::boolean[]) AS c(id, link, at, record)
       ), m AS (
         SELECT cm.id, cm.campaign_id, coalesce(cm.variant, k.winner_key) AS variant,
                coalesce(cm.last_request_at, cm.claimed_at, cm.updated_at)
                  < now() - $5 * interval '1 day' AS expired
           FROM campaign_messages cm JOIN campaigns k ON k.id = cm.campaign_id
          WHERE cm.id IN (SELECT id FROM c)
       ), counted AS (
         SELECT c.id, c.link, m.campaign_id, min(c.at) AS first_at, max(c.at) AS last_at, count(*) AS n
           FROM c JOIN m ON m.id = c.id
          WHERE c.record AND NOT m.expired
          GROUP BY c.id, c.link, m.campaign_id
       ), ins AS (
         INSERT INTO link_clicks AS l (campaign_message_id, link_index, campaign_id, first_click_at, last_click_at, clicks)
         SELECT id, link, campaign_id, first_at, last_at, n FROM counted ORDER BY id, link
         ON CONFLICT (campaign_message_id, link_index) DO UPDATE
           SET clicks = l.clicks + EXCLUDED.clicks,
               first_click_at = least(l.first_click_at, EXCLUDED.first_click_at),
               last_click_at = greatest(l.last_click_at, EXCLUDED.last_click_at)
         RETURNING 1
       )
       SELECT m.id::text, m.campaign_id, m.variant, m.expired FROM m`,
      [
        clicks.map((c) => c.messageId),
        clicks.map((c) => c.linkIndex),
        clicks.map((c) => c.at),
        clicks.map((c) => c.record),
        ttlDays,
      ],
    );
    return rows.map((r) => ({
      messageId: r.id,
      campaignId: r.campaign_id,
      variant: r.variant,
      expired: r.expired,
    }));
  }

  /**
   * Messages' first clicks, recorded by redirects, become their `clicked_at` (which the counters
   * trigger counts): a batch at a time. Returns how many clicks it carried over.
   */
  async projectFirstClicks(limit = 5000): Promise<number> {
    return this.db.tx(
      async (tx) => {
        const due = await queryRows<{ id: string; link: number; campaign_id: string; at: Date }>(
          tx,
          `SELECT campaign_message_id AS id, link_index AS link, campaign_id, first_click_at AS at
             FROM link_clicks WHERE NOT projected
            ORDER BY campaign_message_id, link_index LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        if (due.length === 0) {
          return 0;
        }
        await tx.query(
          `UPDATE campaign_messages cm SET clicked_at = f.at, updated_at = now()
             FROM (SELECT id, min(at) AS at FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at)
                    GROUP BY id) f
            WHERE cm.id = f.id AND (cm.clicked_at IS NULL OR cm.clicked_at > f.at)`,
          [due.map((d) => d.id), due.map((d) => d.at)],
        );
        await tx.query(
          `UPDATE link_clicks SET projected = true
            WHERE (campaign_message_id, link_index) IN (
              SELECT * FROM unnest($1::bigint[], $2::smallint[]))`,
          [due.map((d) => d.id), due.map((d) => d.link)],
        );
        return due.length;
      },
      { retries: 3 },
    );
  }
}
