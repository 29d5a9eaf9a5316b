import { Injectable } from '@nestjs/common';
import { Database, queryRows, type Sql } from '@app/db';
import {
  isDeliveryStatus,
  STATUS_RANK,
  type DeliveryStatus,
  type LedgerState,
} from './domain/delivery-status';

/** One ledger row a batch changed: its state after, and whether it had failed before. */
export interface ChangedLedgerRow {
  after: LedgerState;
  beforeFailedAt: Date | null;
}

interface StatusRow {
  wamid: string;
  /** Only from the update step: when the row had failed before this batch. */
  before_failed_at?: Date | null;
  status: string | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  error_code: number | null;
  error_title: string | null;
  error_message: string | null;
  error_details: string | null;
  pricing_category: string | null;
  pricing_type: string | null;
  pricing_model: string | null;
  pricing_billable: boolean | null;
  pricing_rank: number | null;
  recipient_id: string | null;
  recipient_user_id: string | null;
  callback_data: string | null;
  phone_number_id: string | null;
  waba_id: string | null;
  last_event_id: string | null;
}

/** Every column after `wamid`, in the order of the unnest() parameters. */
const COLUMNS = [
  ['status', 'text'],
  ['status_rank', 'int2'],
  ['sent_at', 'timestamptz'],
  ['delivered_at', 'timestamptz'],
  ['read_at', 'timestamptz'],
  ['failed_at', 'timestamptz'],
  ['error_code', 'int4'],
  ['error_title', 'text'],
  ['error_message', 'text'],
  ['error_details', 'text'],
  ['pricing_category', 'text'],
  ['pricing_type', 'text'],
  ['pricing_model', 'text'],
  ['pricing_billable', 'bool'],
  ['pricing_rank', 'int2'],
  ['recipient_id', 'text'],
  ['recipient_user_id', 'text'],
  ['callback_data', 'text'],
  ['phone_number_id', 'text'],
  ['waba_id', 'text'],
  ['last_event_id', 'int8'],
] as const;

type Column = (typeof COLUMNS)[number][0];

const STAGES = ['sent_at', 'delivered_at', 'read_at', 'failed_at'] as const;
const ERROR_COLUMNS = ['error_code', 'error_title', 'error_message', 'error_details'] as const;
const PRICING_COLUMNS = [
  'pricing_category',
  'pricing_type',
  'pricing_model',
  'pricing_billable',
] as const;
const IDENTITY_COLUMNS = [
  'recipient_id',
  'recipient_user_id',
  'callback_data',
  'phone_number_id',
  'waba_id',
] as const;

const ERROR_WINS = `i.failed_at IS NOT NULL AND (o.failed_at IS NULL OR i.failed_at < o.failed_at
  OR (i.failed_at = o.failed_at AND COALESCE(i.error_code, 2147483647) < COALESCE(o.error_code, 2147483647)))`;
const PRICING_WINS = `(i.pricing_rank > o.pricing_rank OR (i.pricing_rank = o.pricing_rank AND i.pricing_rank > 0
  AND COALESCE(i.pricing_category, '') COLLATE "C" < COALESCE(o.pricing_category, '') COLLATE "C"))`;

/**
 * The SQL twin of `mergeStatus` (domain/delivery-status.ts): same rules, applied between the
 * stored row `o` and the batch's delta `i`. A spec checks both agree on random event sets.
 */
const MERGED: Record<Exclude<Column, never>, string> = {
  status: `CASE WHEN i.status_rank > o.status_rank THEN i.status ELSE o.status END`,
  status_rank: `GREATEST(i.status_rank, o.status_rank)`,
  ...Object.fromEntries(STAGES.map((c) => [c, `LEAST(o.${c}, i.${c})`])),
  ...Object.fromEntries(
    ERROR_COLUMNS.map((c) => [c, `CASE WHEN ${ERROR_WINS} THEN i.${c} ELSE o.${c} END`]),
  ),
  ...Object.fromEntries(
    PRICING_COLUMNS.map((c) => [c, `CASE WHEN ${PRICING_WINS} THEN i.${c} ELSE o.${c} END`]),
  ),
  pricing_rank: `GREATEST(i.pricing_rank, o.pricing_rank)`,
  ...Object.fromEntries(IDENTITY_COLUMNS.map((c) => [c, `COALESCE(o.${c}, i.${c})`])),
  last_event_id: `GREATEST(o.last_event_id, i.last_event_id)`,
} as Record<Column, string>;

const names = COLUMNS.map(([c]) => c);
/** A row is rewritten only when the merge changes something besides the event id. */
const CHANGED = names
  .filter((c) => c !== 'last_event_id')
  .map((c) => `(${MERGED[c]}) IS DISTINCT FROM o.${c}`)
  .join('\n      OR ');

const UNNEST = `unnest($1::text[], ${COLUMNS.map(([, t], k) => `$${k + 2}::${t}[]`).join(', ')})
    AS i(wamid, ${names.join(', ')})`;
const POST_COLUMNS = names.filter((c) => c !== 'status_rank');

/**
 * Step 1: messages seen for the first time. Inserted in wamid order; a wamid another open
 * transaction is inserting makes this one wait for it, then skip (step 2 sees it committed).
 * Existing rows are skipped without being locked.
 */
const INSERT_SQL = `
INSERT INTO message_statuses (wamid, ${names.join(', ')})
SELECT * FROM ${UNNEST}
ORDER BY wamid
ON CONFLICT (wamid) DO NOTHING
RETURNING wamid, ${POST_COLUMNS.join(', ')}`;

/**
 * Step 2: the others. Their rows are locked in wamid order first (the same order in every
 * worker, so batches never wait on each other in a cycle), which makes the returned
 * before-image exact; rows the merge leaves unchanged (duplicates) are not rewritten.
 */
const UPDATE_SQL = `
WITH input AS (SELECT * FROM ${UNNEST}),
old AS (
  SELECT m.* FROM message_statuses m
  WHERE m.wamid = ANY($1::text[])
  ORDER BY m.wamid
  FOR UPDATE
)
UPDATE message_statuses m SET
  ${names.map((c) => `${c} = ${MERGED[c]}`).join(',\n  ')},
  updated_at = now()
FROM input i JOIN old o ON o.wamid = i.wamid
WHERE m.wamid = i.wamid AND (
    ${CHANGED})
RETURNING m.wamid, ${POST_COLUMNS.map((c) => `m.${c}`).join(', ')}, o.failed_at AS before_failed_at`;

function paramsOf(deltas: readonly LedgerState[]): unknown[] {
  const col = <T>(f: (d: LedgerState) => T): T[] => deltas.map(f);
  return [
    col((d) => d.wamid),
    col((d) => d.status),
    col((d) => STATUS_RANK[d.status]),
    col((d) => d.sentAt),
    col((d) => d.deliveredAt),
    col((d) => d.readAt),
    col((d) => d.failedAt),
    col((d) => d.error?.code ?? null),
    col((d) => d.error?.title ?? null),
    col((d) => d.error?.message ?? null),
    col((d) => d.error?.details ?? null),
    col((d) => d.pricing?.category ?? null),
    col((d) => d.pricing?.type ?? null),
    col((d) => d.pricing?.model ?? null),
    col((d) => d.pricing?.billable ?? null),
    col((d) => d.pricingRank),
    col((d) => d.recipientId),
    col((d) => d.recipientUserId),
    col((d) => d.callbackData),
    col((d) => d.phoneNumberId),
    col((d) => d.wabaId),
    col((d) => d.lastEventId),
  ];
}

function statusOf(value: string | null): DeliveryStatus {
  if (!isDeliveryStatus(value)) {
    throw new Error(`message_statuses holds an unknown status ${String(value)}`);
  }
  return value;
}

function stateOfRow(r: StatusRow): LedgerState {
  const hasError = r.failed_at !== null;
  const hasPricing = (r.pricing_rank ?? 0) > 0;
  return {
    wamid: r.wamid,
    status: statusOf(r.status),
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    failedAt: r.failed_at,
    error: hasError
      ? {
          code: r.error_code,
          title: r.error_title,
          message: r.error_message,
          details: r.error_details,
        }
      : null,
    pricing: hasPricing
      ? {
          category: r.pricing_category,
          type: r.pricing_type,
          model: r.pricing_model,
          billable: r.pricing_billable,
        }
      : null,
    pricingRank: r.pricing_rank ?? 0,
    recipientId: r.recipient_id,
    recipientUserId: r.recipient_user_id,
    callbackData: r.callback_data,
    phoneNumberId: r.phone_number_id,
    wabaId: r.waba_id,
    lastEventId: String(r.last_event_id),
  };
}

/**
 * A campaign message takes its ledger's state (see messageStatusOf: Meta's word wins over ours).
 * `l` is the ledger row, `cm` the message it belongs to. A worker's claim on the message is left
 * as it is: the worker releases it when it writes its own outcome (the campaign completes only
 * once every claim is released).
 */
const PROJECTED = {
  // Expired (our inference: accepted, not delivered by its TTL) stays while Meta still says only
  // `sent`; any later word of Meta's (delivered, read, failed) wins over it.
  status: `CASE WHEN l.status = 'sent' AND cm.status = 'expired' THEN 'expired'
                WHEN l.status = 'played' THEN 'read' ELSE l.status END`,
  wamid: `l.wamid`,
  sent_at: `coalesce(cm.sent_at, l.sent_at, l.delivered_at, l.read_at, l.failed_at)`,
  delivered_at: `l.delivered_at`,
  read_at: `l.read_at`,
  failed_at: `CASE WHEN l.status = 'failed' THEN l.failed_at END`,
  error_code: `CASE WHEN l.status = 'failed' THEN l.error_code END`,
  error_title: `CASE WHEN l.status = 'failed' THEN l.error_title END`,
  error_details: `CASE WHEN l.status = 'failed' THEN coalesce(l.error_details, l.error_message) END`,
  pricing_category: `coalesce(l.pricing_category, cm.pricing_category)`,
  billable: `coalesce(cm.billable, false) OR coalesce(l.pricing_billable, false) OR l.pricing_type IS NOT DISTINCT FROM 'regular'`,
  skip_reason: `NULL`,
  next_attempt_at: `NULL`,
};

const CHANGED_PROJECTION = [
  'status',
  'wamid',
  'delivered_at',
  'read_at',
  'failed_at',
  'billable',
  'pricing_category',
]
  .map((c) => `cm.${c} IS DISTINCT FROM (${PROJECTED[c as keyof typeof PROJECTED]})`)
  .join(' OR ');

/**
 * Our message id echoed as `biz_opaque_callback_data` (`id`, or `id:n` after n retries; test
 * sends use other shapes: see callbackDataOf). The guard comes before the casts inside each CASE:
 * SQL does not promise the order of AND-ed conditions.
 */
const CALLBACK_SHAPE = `ms.callback_data ~ '^[0-9]{1,18}(:[0-9]{1,4})?$'`;
const CALLBACK_ID = `CASE WHEN ${CALLBACK_SHAPE} THEN split_part(ms.callback_data, ':', 1)::bigint END`;
const CALLBACK_RETRIES = `CASE WHEN ${CALLBACK_SHAPE} THEN coalesce(nullif(split_part(ms.callback_data, ':', 2), ''), '0')::int END`;

/**
 * The campaign message a ledger row belongs to: the one holding its wamid, else the one its
 * callback data names (while it has no wamid, and only for the request of its current retry).
 * Each is one index lookup per ledger row (LIMIT 1 keeps the planner from flattening the lateral
 * into a join): as plain joins, with statistics from the snapshot (no message had a wamid), the
 * planner merged or hashed against the whole wamid index, fetching every message it held to check
 * its visibility — 12,600 buffers a call, half of Postgres' work in scenario a.
 */
const LINKED = `
  SELECT ms.*, coalesce(bw.id, bc.id) AS message_id, coalesce(bw.campaign_id, bc.campaign_id) AS campaign_id
    FROM message_statuses ms
    LEFT JOIN LATERAL (SELECT b.id, b.campaign_id FROM campaign_messages b
                        WHERE b.wamid = ms.wamid LIMIT 1) bw ON true
    LEFT JOIN LATERAL (SELECT b.id, b.campaign_id FROM campaign_messages b
                        WHERE bw.id IS NULL AND b.id = ${CALLBACK_ID} AND b.wamid IS NULL
                          AND b.retries = ${CALLBACK_RETRIES} LIMIT 1) bc ON true
   WHERE ms.wamid = ANY($1::text[])`;

/**
 * The delivery-status ledger (`message_statuses`, Meta's merged word per wamid) and its one
 * projection onto campaign messages. Every writer that meets a message by wamid — the status
 * webhooks, the sender recording an answer, reconciliation — goes through `project`, so a
 * campaign message with a ledger row always shows the ledger's status.
 */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly db: Database) {}

  /**
   * Serialises, per wamid, the writers that meet on a message: the sender recording a wamid and
   * the webhooks applying a status. Without it each could miss the other's uncommitted write (a
   * status that raced ahead of the send answer would be lost). Taken first, in one global order.
   */
  async lockWamids(tx: Sql, wamids: readonly string[]): Promise<void> {
    const unique = [...new Set(wamids)];
    if (unique.length === 0) {
      return;
    }
    await tx.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(w, 7) AS k FROM unnest($1::text[]) w) t ORDER BY k`,
      [unique],
    );
  }

  /**
   * Merges one delta per wamid (sorted, distinct — see `mergeStatusEvents`) into the ledger and
   * returns every row that changed. Two statements: insert what is new, then lock-and-merge the
   * rest (see INSERT_SQL / UPDATE_SQL for why that order cannot deadlock between workers).
   */
  async upsert(tx: Sql, deltas: readonly LedgerState[]): Promise<ChangedLedgerRow[]> {
    if (deltas.length === 0) {
      return [];
    }
    const inserted = await queryRows<StatusRow>(tx, INSERT_SQL, paramsOf(deltas));
    const out: ChangedLedgerRow[] = inserted.map((r) => ({
      after: stateOfRow(r),
      beforeFailedAt: null,
    }));
    const insertedIds = new Set(inserted.map((r) => r.wamid));
    const rest = deltas.filter((d) => !insertedIds.has(d.wamid));
    if (rest.length > 0) {
      for (const r of await queryRows<StatusRow>(tx, UPDATE_SQL, paramsOf(rest))) {
        out.push({ after: stateOfRow(r), beforeFailedAt: r.before_failed_at ?? null });
      }
    }
    return out;
  }

  async findByWamids(wamids: readonly string[], tx: Sql = this.db): Promise<LedgerState[]> {
    const rows = await queryRows<StatusRow>(
      tx,
      `SELECT * FROM message_statuses WHERE wamid = ANY($1::text[]) ORDER BY wamid`,
      [wamids],
    );
    return rows.map(stateOfRow);
  }

  /**
   * Sets every campaign message linked to these ledger rows (by wamid, or by our id in the
   * callback data while it has no wamid) to the ledger's state. Returns how many messages moved.
   */
  async project(tx: Sql, wamids: readonly string[]): Promise<number> {
    if (wamids.length === 0) {
      return 0;
    }
    const rows = await queryRows<{ id: string }>(
      tx,
      `WITH l AS MATERIALIZED (${LINKED})
       UPDATE campaign_messages cm SET
         ${Object.entries(PROJECTED)
           .map(([c, v]) => `${c} = ${v}`)
           .join(',\n         ')},
         updated_at = now()
        FROM l
       WHERE cm.id = l.message_id AND (${CHANGED_PROJECTION})
       RETURNING cm.id`,
      [wamids],
    );
    return rows.length;
  }

  /**
   * Ledger rows that carry the callback data of these messages' current requests (proof a request
   * was accepted): `callbacks` are callbackDataOf(id, retries).
   */
  async byCallbacks(
    tx: Sql,
    callbacks: ReadonlyArray<{ id: string; callback: string }>,
  ): Promise<Array<{ wamid: string; id: string }>> {
    if (callbacks.length === 0) {
      return [];
    }
    return queryRows<{ wamid: string; id: string }>(
      tx,
      `SELECT ms.wamid, u.id FROM message_statuses ms
         JOIN unnest($1::text[], $2::text[]) AS u(callback, id) ON u.callback = ms.callback_data
        ORDER BY ms.created_at`,
      [callbacks.map((c) => c.callback), callbacks.map((c) => c.id)],
    );
  }

  /**
   * Proof for messages in doubt when Meta did not echo our callback data: a ledger row of the same
   * number and recipient, first seen after the request, without callback data, not linked to any
   * campaign message — and only where exactly one unsettled message of that number and recipient
   * could own it (never another message's status).
   */
  async byRecipient(
    tx: Sql,
    items: ReadonlyArray<{ id: string; phoneNumberId: string; recipient: string; since: Date }>,
  ): Promise<Array<{ wamid: string; id: string }>> {
    if (items.length === 0) {
      return [];
    }
    return queryRows<{ wamid: string; id: string }>(
      tx,
      `WITH m AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
           AS m(id, phone_number_id, recipient, since)
       ), candidates AS (
         SELECT m.id, ms.wamid FROM m
           JOIN message_statuses ms
             ON ms.phone_number_id = m.phone_number_id AND ms.recipient_id = m.recipient
            AND ms.created_at >= m.since - interval '1 minute' AND ms.callback_data IS NULL
          WHERE NOT EXISTS (SELECT 1 FROM campaign_messages x WHERE x.wamid = ms.wamid)
       ), unique_pairs AS (
         SELECT m.id FROM m
          WHERE (SELECT count(*) FROM campaign_messages o
                   JOIN campaigns c ON c.id = o.campaign_id
                   JOIN phone_numbers p ON p.id = c.phone_number_id
                  WHERE o.phone = '+' || m.recipient AND p.phone_number_id = m.phone_number_id
                    AND o.status IN ('pending', 'sending', 'in_doubt') AND o.wamid IS NULL) = 1
       )
       SELECT c.wamid, c.id::text AS id FROM candidates c
        WHERE c.id IN (SELECT id FROM unique_pairs)
          AND (SELECT count(*) FROM candidates c2 WHERE c2.id = c.id) = 1`,
      [
        items.map((i) => i.id),
        items.map((i) => i.phoneNumberId),
        items.map((i) => i.recipient),
        items.map((i) => i.since),
      ],
    );
  }

  /**
   * Per campaign, the latest request (after `after`) whose status webhook has come: how far
   * Meta's status stream has caught up with our sends. Walks campaign_messages_request_idx from
   * the newest request down, so it reads only as many rows as the stream is behind.
   */
  async latestProvenRequests(
    tx: Sql,
    campaignIds: readonly string[],
    after: Date,
  ): Promise<Map<string, Date>> {
    if (campaignIds.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ campaign_id: string; at: Date }>(
      tx,
      `SELECT c.id AS campaign_id, h.at FROM unnest($1::uuid[]) c(id)
         CROSS JOIN LATERAL (
           SELECT cm.last_request_at AS at FROM campaign_messages cm
            WHERE cm.campaign_id = c.id AND cm.last_request_at > $2
              AND EXISTS (SELECT 1 FROM message_statuses ms WHERE ms.wamid = cm.wamid)
            ORDER BY cm.last_request_at DESC LIMIT 1) h`,
      [[...new Set(campaignIds)], after],
    );
    return new Map(rows.map((r) => [r.campaign_id, r.at]));
  }

  /**
   * Accepted messages whose TTL ran out by `cutoff` (oldest deadline first; no locks taken): the
   * expiry tick's candidates, through campaign_messages_expiry_idx.
   */
  async dueForExpiry(
    cutoff: Date,
    limit: number,
  ): Promise<Array<{ id: string; wamid: string; campaignId: string }>> {
    return queryRows<{ id: string; wamid: string; campaignId: string }>(
      this.db,
      `SELECT id::text AS id, wamid, campaign_id AS "campaignId" FROM campaign_messages
        WHERE status = 'sent' AND expires_at IS NOT NULL AND expires_at <= $1 AND wamid IS NOT NULL
        ORDER BY expires_at LIMIT $2`,
      [cutoff, limit],
    );
  }

  /**
   * Marks these messages `expired` where the rule still holds on the locked rows (isExpired in
   * domain/message-ttl.ts): still only `sent`, deadline passed, no delivered or read time in the
   * ledger. The caller holds their wamid locks. Returns how many expired.
   */
  async expire(tx: Sql, ids: readonly string[], cutoff: Date): Promise<number> {
    if (ids.length === 0) {
      return 0;
    }
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE campaign_messages cm SET status = 'expired', updated_at = now()
        WHERE cm.id = ANY($1::bigint[]) AND cm.status = 'sent'
          AND cm.expires_at <= $2 AND cm.delivered_at IS NULL AND cm.read_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM message_statuses ms WHERE ms.wamid = cm.wamid
                           AND (ms.delivered_at IS NOT NULL OR ms.read_at IS NOT NULL))
        RETURNING cm.id`,
      [ids, cutoff],
    );
    return rows.length;
  }

  /** Gives messages the wamid a proof found for them (then `project` applies its state). */
  async link(tx: Sql, pairs: ReadonlyArray<{ id: string; wamid: string }>): Promise<void> {
    if (pairs.length === 0) {
      return;
    }
    await tx.query(
      `UPDATE campaign_messages cm SET wamid = u.wamid, updated_at = now()
         FROM unnest($1::bigint[], $2::text[]) AS u(id, wamid)
        WHERE cm.id = u.id AND cm.wamid IS NULL`,
      [pairs.map((p) => p.id), pairs.map((p) => p.wamid)],
    );
  }

  /** A tap on a quick reply of a campaign message: its first click counts. */
  async recordClicks(tx: Sql, clicks: ReadonlyArray<{ wamid: string; at: Date }>): Promise<number> {
    if (clicks.length === 0) {
      return 0;
    }
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE campaign_messages cm SET clicked_at = u.at, updated_at = now()
         FROM (SELECT wamid, min(at) AS at FROM unnest($1::text[], $2::timestamptz[]) AS c(wamid, at)
                GROUP BY wamid) u
        WHERE cm.wamid = u.wamid AND cm.clicked_at IS NULL
        RETURNING cm.id`,
      [clicks.map((c) => c.wamid), clicks.map((c) => c.at)],
    );
    return rows.length;
  }
}
