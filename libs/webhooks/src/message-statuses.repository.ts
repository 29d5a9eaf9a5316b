import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@app/db';
import {
  isMessageStatus,
  STATUS_RANK,
  type MessageStatus,
  type MessageStatusState,
  type StageSnapshot,
} from './domain/message-status';

/** The state of one message before and after a batch touched it (`before` null: first seen). */
export interface AppliedStatus {
  before: StageSnapshot | null;
  after: MessageStatusState;
}

interface StatusRow {
  wamid: string;
  before_status: string | null;
  before_sent_at: Date | null;
  before_delivered_at: Date | null;
  before_read_at: Date | null;
  before_failed_at: Date | null;
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
 * The SQL twin of `mergeStatus` (domain/message-status.ts): same rules, applied between the
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
RETURNING m.wamid, ${POST_COLUMNS.map((c) => `m.${c}`).join(', ')},
  o.status AS before_status, o.sent_at AS before_sent_at, o.delivered_at AS before_delivered_at,
  o.read_at AS before_read_at, o.failed_at AS before_failed_at`;

function paramsOf(deltas: readonly MessageStatusState[]): unknown[] {
  const col = <T>(f: (d: MessageStatusState) => T): T[] => deltas.map(f);
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

function statusOf(value: string | null): MessageStatus {
  if (!isMessageStatus(value)) {
    throw new Error(`message_statuses holds an unknown status ${String(value)}`);
  }
  return value;
}

function stateOfRow(r: StatusRow): MessageStatusState {
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

/** Forward-only status per wamid; one set-based statement per batch. */
@Injectable()
export class MessageStatusesRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Merges one delta per wamid (sorted, distinct — see `mergeStatusEvents`) into the stored rows
   * and returns, for every row that changed, its state before and after. Two statements: insert
   * what is new, then lock-and-merge the rest (see INSERT_SQL / UPDATE_SQL for why that order
   * cannot deadlock between workers and why the before-image is exact).
   */
  async apply(em: EntityManager, deltas: readonly MessageStatusState[]): Promise<AppliedStatus[]> {
    if (deltas.length === 0) {
      return [];
    }
    const inserted = await queryRows<StatusRow>(em, INSERT_SQL, paramsOf(deltas));
    const applied: AppliedStatus[] = inserted.map((r) => ({ before: null, after: stateOfRow(r) }));
    const insertedIds = new Set(inserted.map((r) => r.wamid));
    const rest = deltas.filter((d) => !insertedIds.has(d.wamid));
    if (rest.length === 0) {
      return applied;
    }
    const updated = await queryRows<StatusRow>(em, UPDATE_SQL, paramsOf(rest));
    for (const r of updated) {
      applied.push({
        before: {
          status: statusOf(r.before_status),
          sentAt: r.before_sent_at,
          deliveredAt: r.before_delivered_at,
          readAt: r.before_read_at,
          failedAt: r.before_failed_at,
        },
        after: stateOfRow(r),
      });
    }
    return applied;
  }

  async findByWamids(
    wamids: readonly string[],
    em: EntityManager = this.db.manager,
  ): Promise<MessageStatusState[]> {
    const rows = await queryRows<StatusRow>(
      em,
      `SELECT * FROM message_statuses WHERE wamid = ANY($1::text[]) ORDER BY wamid`,
      [wamids],
    );
    return rows.map(stateOfRow);
  }

  async findByCallbackData(
    callbackData: readonly string[],
    em: EntityManager = this.db.manager,
  ): Promise<MessageStatusState[]> {
    const rows = await queryRows<StatusRow>(
      em,
      `SELECT * FROM message_statuses WHERE callback_data = ANY($1::text[]) ORDER BY wamid`,
      [callbackData],
    );
    return rows.map(stateOfRow);
  }
}
