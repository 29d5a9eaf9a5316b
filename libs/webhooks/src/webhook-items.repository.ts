import { Injectable } from '@nestjs/common';
import { queryRows, type Sql } from '@app/db';
import type { InboundMessage } from './domain/webhook-payload';

export type WebhookItemKind = 'template' | 'user_preference';

/** Exactly-once gates for items other than statuses: a key is new once, in one transaction. */
@Injectable()
export class WebhookItemsRepository {
  /**
   * Keeps each inbound message once (it is the proof an opt-out points at) and returns the
   * wamids that were new; a redelivered message returns nothing, so consumers never see it twice.
   */
  async insertInbound(tx: Sql, messages: readonly InboundMessage[]): Promise<Set<string>> {
    if (messages.length === 0) {
      return new Set();
    }
    const col = <T>(f: (m: InboundMessage) => T): T[] => messages.map(f);
    const rows = await queryRows<{ wamid: string }>(
      tx,
      `INSERT INTO inbound_messages (wamid, phone_number_id, waba_id, from_wa_id, from_user_id,
         type, sent_at, context_wamid, is_opt_out, opt_out_reason, is_button_click, raw, webhook_event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::timestamptz[], $8::text[], $9::bool[], $10::text[], $11::bool[], $12::jsonb[], $13::int8[])
       ORDER BY 1
       ON CONFLICT (wamid) DO NOTHING
       RETURNING wamid`,
      [
        col((m) => m.wamid),
        col((m) => m.phoneNumberId),
        col((m) => m.wabaId),
        col((m) => m.from),
        col((m) => m.fromUserId),
        col((m) => m.type),
        col((m) => m.at),
        col((m) => m.contextWamid),
        col((m) => m.isOptOut),
        col((m) => m.optOutReason),
        col((m) => m.isButtonClick),
        col((m) => JSON.stringify(m.raw)),
        col((m) => m.eventId),
      ],
    );
    return new Set(rows.map((r) => r.wamid));
  }

  /** Records the keys and returns those not seen before. */
  async claimKeys(
    tx: Sql,
    kind: WebhookItemKind,
    items: readonly { dedupeKey: string; eventId: string }[],
  ): Promise<Set<string>> {
    if (items.length === 0) {
      return new Set();
    }
    const rows = await queryRows<{ key: string }>(
      tx,
      `INSERT INTO webhook_item_keys (kind, key, webhook_event_id)
       SELECT $1, k, e FROM unnest($2::text[], $3::int8[]) AS t(k, e)
       ORDER BY k
       ON CONFLICT (kind, key) DO NOTHING
       RETURNING key`,
      [kind, items.map((i) => i.dedupeKey), items.map((i) => i.eventId)],
    );
    return new Set(rows.map((r) => r.key));
  }
}
