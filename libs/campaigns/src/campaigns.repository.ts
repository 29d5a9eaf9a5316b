import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import { queryRows } from '@app/db';
import {
  statusesAllowing,
  type CampaignAction,
  type CampaignStatus,
} from './domain/campaign-status';
import {
  addCounters,
  COUNTER_NAMES,
  counterDelta,
  zeroCounters,
  type Counters,
  type MessageState,
  type MessageStatus,
} from './domain/message-status';
import type { CampaignCreate, CampaignMessageRecord, CampaignRecord } from './campaigns.types';

type Db = Pick<EntityManager, 'query'>;

/** IANA zones Node knows; a contact's zone outside this list falls back to the campaign's. */
const KNOWN_TIMEZONES: string[] = Intl.supportedValuesOf('timeZone');

interface CampaignRow {
  id: string;
  workspace_id: string;
  name: string;
  template_id: string;
  audience_id: string;
  phone_number_id: string;
  parameters: CampaignRecord['parameters'];
  status: CampaignStatus;
  status_reason: string | null;
  scheduled_at: Date | null;
  late_policy: CampaignRecord['latePolicy'];
  throughput_mps: number | null;
  send_window: CampaignRecord['sendWindow'];
  targeted_at: Date | null;
  started_at: Date | null;
  paused_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  counters: Record<keyof Counters, string> | null;
}

function toCampaign(r: CampaignRow): CampaignRecord {
  const counts = zeroCounters();
  for (const k of COUNTER_NAMES) {
    counts[k] = Number(r.counters?.[k] ?? 0);
  }
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    name: r.name,
    templateId: r.template_id,
    audienceId: r.audience_id,
    phoneNumberId: r.phone_number_id,
    parameters: r.parameters,
    status: r.status,
    statusReason: r.status_reason,
    scheduledAt: r.scheduled_at,
    latePolicy: r.late_policy,
    throughputMps: r.throughput_mps,
    sendWindow: r.send_window,
    targetedAt: r.targeted_at,
    startedAt: r.started_at,
    pausedAt: r.paused_at,
    completedAt: r.completed_at,
    cancelledAt: r.cancelled_at,
    failedAt: r.failed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    counts,
  };
}

const SELECT_CAMPAIGN = `
  SELECT c.*, to_jsonb(k) - 'campaign_id' - 'updated_at' AS counters
    FROM campaigns c LEFT JOIN campaign_counters k ON k.campaign_id = c.id`;

interface MessageRow {
  id: string;
  contact_id: string;
  phone: string;
  status: MessageStatus;
  skip_reason: string | null;
  wamid: string | null;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
  attempts: number;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  clicked_at: Date | null;
  pricing_category: string | null;
  billable: boolean | null;
}

function toMessage(r: MessageRow): CampaignMessageRecord {
  return {
    id: String(r.id),
    contactId: r.contact_id,
    phone: r.phone,
    status: r.status,
    skipReason: r.skip_reason,
    wamid: r.wamid,
    errorCode: r.error_code,
    errorTitle: r.error_title,
    errorDetails: r.error_details,
    attempts: r.attempts,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    failedAt: r.failed_at,
    clickedAt: r.clicked_at,
    pricingCategory: r.pricing_category,
    billable: r.billable,
  };
}

export interface InDoubtMessage {
  id: string;
  campaignId: string;
  phone: string;
  phoneNumberId: string;
  claimedAt: Date;
  /** The worker that claimed it; its lease tells whether it is still alive. */
  claimedBy: string | null;
}

/**
 * Why a contact (alias `c`) is not sent to, or NULL when it is eligible: no current opt-in, or a
 * bound field (`$n`: JSON array of paths such as ["attributes","firstName"]) missing or blank.
 * One definition for the snapshot and the plan, so the plan predicts what a launch does.
 */
export function skipReasonSql(pathsParam: string): string {
  return `CASE WHEN c.consent_status = 'opted_out' THEN 'opted_out'
               WHEN c.consent_status <> 'opted_in' THEN 'no_opt_in'
               WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(${pathsParam}::jsonb) p
                             WHERE coalesce(btrim(CASE p->>0
                                     WHEN 'locale' THEN c.locale
                                     WHEN 'timezone' THEN c.timezone
                                     WHEN 'phone' THEN c.phone
                                     ELSE c.attributes #>> ARRAY(SELECT jsonb_array_elements_text(p) OFFSET 1)
                                   END), '') = '')
                 THEN 'missing_attribute'
          END`;
}

/** A claimed message with what rendering needs of its contact. */
export interface ClaimedMessage {
  id: string;
  contactId: string;
  phone: string;
  attempts: number;
  pairRateFailures: number;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
}

/** Mutable row state used to compute exact counter deltas. */
export interface LockedMessage extends MessageState {
  id: string;
  campaignId: string;
  wamid: string | null;
}

export type MessageUpdate = {
  id: string;
  campaignId: string;
  before: MessageState;
  after: MessageState;
  wamid?: string | null;
  errorCode?: number | null;
  errorTitle?: string | null;
  errorDetails?: string | null;
  nextAttemptAt?: Date | null;
  pairRateFailures?: number;
  skipReason?: string | null;
  sentAt?: Date | null;
  deliveredAt?: Date | null;
  readAt?: Date | null;
  failedAt?: Date | null;
  clickedAt?: Date | null;
  pricingCategory?: string | null;
};

/** Snapshots at least this large refresh the planner's statistics (see refreshStatsAfterSnapshot). */
export const ANALYZE_AFTER_SNAPSHOT_ROWS = 10_000;

export interface SnapshotChunk {
  inserted: number;
  lastContactId: string | null;
  delta: Partial<Counters>;
}

@Injectable()
export class CampaignsRepository {
  constructor(readonly db: DataSource) {}

  async insert(ws: WorkspaceId, c: CampaignCreate): Promise<CampaignRecord> {
    return this.db.transaction(async (em) => {
      const rows = await queryRows<{ id: string }>(
        em,
        `INSERT INTO campaigns (workspace_id, name, template_id, audience_id, phone_number_id, parameters,
            scheduled_at, throughput_mps, send_window, late_policy)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          ws,
          c.name,
          c.templateId,
          c.audienceId,
          c.phoneNumberId,
          JSON.stringify(c.parameters),
          c.scheduledAt ?? null,
          c.throughputMps ?? null,
          c.sendWindow ? JSON.stringify(c.sendWindow) : null,
          c.latePolicy ?? 'send',
        ],
      );
      const id = (rows[0] as { id: string }).id;
      await em.query(`INSERT INTO campaign_counters (campaign_id) VALUES ($1)`, [id]);
      return (await this.find(ws, id, em)) as CampaignRecord;
    });
  }

  async find(ws: WorkspaceId, id: string, db: Db = this.db): Promise<CampaignRecord | null> {
    const rows = await queryRows<CampaignRow>(
      db,
      `${SELECT_CAMPAIGN} WHERE c.workspace_id = $1 AND c.id = $2`,
      [ws, id],
    );
    return rows[0] ? toCampaign(rows[0]) : null;
  }

  /** For the worker, which acts on a campaign id from a job without a workspace in hand. */
  async findById(id: string, db: Db = this.db): Promise<CampaignRecord | null> {
    const rows = await queryRows<CampaignRow>(db, `${SELECT_CAMPAIGN} WHERE c.id = $1`, [id]);
    return rows[0] ? toCampaign(rows[0]) : null;
  }

  async status(id: string): Promise<CampaignStatus | null> {
    const rows = await queryRows<{ status: CampaignStatus }>(
      this.db,
      `SELECT status FROM campaigns WHERE id = $1`,
      [id],
    );
    return rows[0]?.status ?? null;
  }

  async list(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
    status?: string,
  ): Promise<Page<CampaignRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<CampaignRow & { created_at: Date }>(
      this.db,
      `${SELECT_CAMPAIGN}
        WHERE c.workspace_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) > ($2, $3::uuid))
          AND ($5::text IS NULL OR c.status = $5)
        ORDER BY c.created_at, c.id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1, status ?? null],
    );
    return toPage(rows.map(toCampaign), limit);
  }

  /**
   * Moves a campaign with `action` atomically: only from a status that allows it, so two workers or
   * two requests racing cannot both win. Returns the updated campaign, or null if it was not allowed.
   */
  async transition(
    id: string,
    action: CampaignAction,
    to: CampaignStatus,
    reason: string | null,
    extra: { scheduledAt?: Date | null; onlyFrom?: CampaignStatus[] } = {},
    db: Db = this.db,
  ): Promise<CampaignRecord | null> {
    const from = extra.onlyFrom ?? statusesAllowing(action);
    const stamp: Partial<Record<CampaignStatus, string>> = {
      running: 'started_at = coalesce(started_at, now())',
      paused: 'paused_at = now()',
      completed: 'completed_at = now()',
      cancelled: 'cancelled_at = now()',
      failed: 'failed_at = now()',
    };
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE campaigns SET status = $2, status_reason = $3, updated_at = now()
              ${stamp[to] ? `, ${stamp[to]}` : ''}
              ${extra.scheduledAt !== undefined ? ', scheduled_at = $5' : ''}
        WHERE id = $1 AND status = ANY($4::text[]) RETURNING id`,
      extra.scheduledAt !== undefined
        ? [id, to, reason, from, extra.scheduledAt]
        : [id, to, reason, from],
    );
    return rows[0] ? this.findById(id, db) : null;
  }

  /** Scheduled campaigns whose time has come, oldest first (the caller claims each atomically). */
  async dueScheduled(
    limit = 100,
  ): Promise<Array<{ id: string; scheduledAt: Date; latePolicy: 'send' | 'fail' }>> {
    const rows = await queryRows<{ id: string; scheduled_at: Date; late_policy: 'send' | 'fail' }>(
      this.db,
      `SELECT id, scheduled_at, late_policy FROM campaigns
        WHERE status = 'scheduled' AND scheduled_at <= now() ORDER BY scheduled_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, scheduledAt: r.scheduled_at, latePolicy: r.late_policy }));
  }

  async runningIds(): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM campaigns WHERE status = 'running'`,
    );
    return rows.map((r) => r.id);
  }

  async markTargeted(id: string): Promise<void> {
    await this.db.query(
      `UPDATE campaigns SET targeted_at = coalesce(targeted_at, now()) WHERE id = $1`,
      [id],
    );
  }

  /**
   * Snapshots the next chunk of audience members into campaign messages: pending if eligible, else
   * skipped with a reason. Idempotent (the unique key drops rows already there) and counted in the
   * same transaction, so a retried chunk counts nothing twice.
   */
  async snapshotChunk(
    campaignId: string,
    audienceId: string,
    boundPaths: string[][],
    afterContactId: string | null,
    limit: number,
  ): Promise<SnapshotChunk> {
    return this.db.transaction(async (em) => {
      // One statement: the chunk is read once (its last id is the next cursor, also when a
      // resumed snapshot inserts nothing), contacts are fetched by primary key (a join let the
      // planner hash a scan of every contact per chunk), each contact is judged once, and only
      // per-status counts come back.
      const rows = await queryRows<{
        status: MessageStatus | null;
        n: number;
        last: string | null;
      }>(
        em,
        `WITH chunk AS MATERIALIZED (
           SELECT m.contact_id FROM audience_members m
            WHERE m.audience_id = $2 AND ($3::uuid IS NULL OR m.contact_id > $3)
            ORDER BY m.contact_id LIMIT $4
         ), judged AS MATERIALIZED (
           SELECT c.id, c.phone,
                  ${skipReasonSql('$5')} AS reason
             FROM contacts c WHERE c.id = ANY(ARRAY(SELECT contact_id FROM chunk))
         ), ins AS (
           INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, skip_reason)
           SELECT $1, id, phone, CASE WHEN reason IS NULL THEN 'pending' ELSE 'skipped' END, reason
             FROM judged ORDER BY id
           ON CONFLICT (campaign_id, contact_id) DO NOTHING
           RETURNING status
         )
         SELECT s.status, s.n, (SELECT contact_id FROM chunk ORDER BY contact_id DESC LIMIT 1) AS last
           FROM (SELECT NULL::text AS status, 0 AS n
                 UNION ALL SELECT status, count(*)::int FROM ins GROUP BY status) s`,
        [campaignId, audienceId, afterContactId, limit, JSON.stringify(boundPaths)],
      );
      const delta: Partial<Counters> = {};
      let inserted = 0;
      for (const r of rows) {
        if (r.status === null) {
          continue;
        }
        inserted += r.n;
        const one = counterDelta(null, {
          status: r.status,
          accepted: false,
          clicked: false,
          billable: false,
        });
        for (const k of COUNTER_NAMES) {
          const v = one[k];
          if (v) {
            one[k] = v * r.n;
          }
        }
        addCounters(delta, one);
      }
      await this.bumpCounters(em, new Map([[campaignId, delta]]));
      return { inserted, lastContactId: rows[0]?.last ?? null, delta };
    });
  }

  /**
   * Refreshes the planner's statistics of campaign_messages after a large snapshot. A table that
   * grew by a whole audience within a minute still has the statistics of before (autovacuum looks
   * later, or never when the campaign is a small share of a big table): the claim's plan then walks
   * every pending row of the campaign and sorts them — 10 s per claim at 1,000,000 recipients
   * instead of ~15 ms, which held sending at ~200 msg/s. ANALYZE samples; it takes well under 1 s.
   */
  async refreshStatsAfterSnapshot(inserted: number): Promise<boolean> {
    if (inserted < ANALYZE_AFTER_SNAPSHOT_ROWS) {
      return false;
    }
    await this.db.query(`ANALYZE campaign_messages`);
    return true;
  }

  /** Adds counter deltas, one statement for the whole batch. */
  async bumpCounters(em: Db, deltas: ReadonlyMap<string, Partial<Counters>>): Promise<void> {
    const ids: string[] = [];
    const cols: Record<keyof Counters, number[]> = Object.fromEntries(
      COUNTER_NAMES.map((k) => [k, []]),
    ) as never;
    for (const [id, d] of deltas) {
      if (COUNTER_NAMES.every((k) => !d[k])) {
        continue;
      }
      ids.push(id);
      for (const k of COUNTER_NAMES) {
        cols[k].push(d[k] ?? 0);
      }
    }
    if (ids.length === 0) {
      return;
    }
    await em.query(
      `UPDATE campaign_counters k SET ${COUNTER_NAMES.map((n) => `${n} = k.${n} + d.${n}`).join(', ')}, updated_at = now()
         FROM unnest($1::uuid[], ${COUNTER_NAMES.map((_, i) => `$${i + 2}::bigint[]`).join(', ')})
              AS d(campaign_id, ${COUNTER_NAMES.join(', ')})
        WHERE k.campaign_id = d.campaign_id`,
      [ids, ...COUNTER_NAMES.map((k) => cols[k])],
    );
  }

  /**
   * Claims up to `limit` due pending messages for sending (SKIP LOCKED: many lanes and workers),
   * re-checking consent right now: a contact who opted out since the snapshot is skipped instead.
   * A send window restricts the claim to contacts whose local time is inside it.
   */
  async claim(
    campaignId: string,
    workerId: string,
    limit: number,
    window: { start: string; end: string; timezone: string; perContactTimezone: boolean } | null,
  ): Promise<{ claimed: ClaimedMessage[]; optedOut: number }> {
    return this.db.transaction(async (em) => {
      const rows = await queryRows<{
        id: string;
        contact_id: string;
        phone: string;
        attempts: number;
        pair_rate_failures: number;
        attributes: Record<string, unknown>;
        locale: string | null;
        timezone: string | null;
        consent_status: string;
      }>(
        em,
        `WITH picked AS (
           SELECT cm.id FROM campaign_messages cm
             JOIN contacts c ON c.id = cm.contact_id
             CROSS JOIN LATERAL (
               SELECT (now() AT TIME ZONE (CASE WHEN $6 AND c.timezone = ANY($7::text[])
                                                THEN c.timezone ELSE coalesce($3, 'UTC') END))::time AS t
             ) local
            WHERE cm.campaign_id = $1 AND cm.status = 'pending'
              AND (cm.next_attempt_at IS NULL OR cm.next_attempt_at <= now())
              AND ($3::text IS NULL OR CASE WHEN $4::time < $5::time
                                            THEN local.t >= $4::time AND local.t < $5::time
                                            ELSE local.t >= $4::time OR local.t < $5::time END)
            ORDER BY cm.id LIMIT $2
            FOR UPDATE OF cm SKIP LOCKED
         )
         UPDATE campaign_messages cm SET
           status = CASE WHEN c.consent_status = 'opted_in' THEN 'sending' ELSE 'skipped' END,
           skip_reason = CASE WHEN c.consent_status = 'opted_in' THEN NULL
                              WHEN c.consent_status = 'opted_out' THEN 'opted_out' ELSE 'no_opt_in' END,
           attempts = cm.attempts + CASE WHEN c.consent_status = 'opted_in' THEN 1 ELSE 0 END,
           claimed_at = now(), claimed_by = $8, updated_at = now()
           FROM picked, contacts c
          WHERE cm.id = picked.id AND c.id = cm.contact_id
         RETURNING cm.id, cm.contact_id, cm.phone, cm.attempts, cm.pair_rate_failures,
                   c.attributes, c.locale, c.timezone, c.consent_status`,
        [
          campaignId,
          limit,
          window?.timezone ?? null,
          window?.start ?? null,
          window?.end ?? null,
          window?.perContactTimezone ?? false,
          window?.perContactTimezone ? KNOWN_TIMEZONES : [],
          workerId,
        ],
      );
      const claimed = rows.filter((r) => r.consent_status === 'opted_in');
      const optedOut = rows.length - claimed.length;
      await this.bumpCounters(
        em,
        new Map([
          [campaignId, { queued: -rows.length, sending: claimed.length, skipped: optedOut }],
        ]),
      );
      return {
        claimed: claimed.map((r) => ({
          id: String(r.id),
          contactId: r.contact_id,
          phone: r.phone,
          attempts: r.attempts,
          pairRateFailures: r.pair_rate_failures,
          attributes: r.attributes,
          locale: r.locale,
          timezone: r.timezone,
        })),
        optedOut,
      };
    });
  }

  /** Locks messages by id (in id order, to avoid deadlocks) and returns their counter state. */
  async lockByIds(em: Db, ids: string[]): Promise<LockedMessage[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await queryRows<LockRow>(
      em,
      `SELECT ${LOCK_COLUMNS} FROM campaign_messages WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return rows.map(toLocked);
  }

  async lockByWamids(em: Db, wamids: string[]): Promise<LockedMessage[]> {
    if (wamids.length === 0) {
      return [];
    }
    const rows = await queryRows<LockRow>(
      em,
      `SELECT ${LOCK_COLUMNS} FROM campaign_messages WHERE wamid = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [wamids],
    );
    return rows.map(toLocked);
  }

  /** Writes many message changes in one statement and the exact counter deltas they imply. */
  async applyUpdates(em: Db, updates: MessageUpdate[]): Promise<void> {
    if (updates.length === 0) {
      return;
    }
    const deltas = new Map<string, Partial<Counters>>();
    for (const u of updates) {
      addCounters(
        deltas.get(u.campaignId) ?? deltas.set(u.campaignId, {}).get(u.campaignId)!,
        counterDelta(u.before, u.after),
      );
    }
    const has = (u: MessageUpdate, k: keyof MessageUpdate): boolean => u[k] !== undefined;
    const col = <T>(k: keyof MessageUpdate, f: (u: MessageUpdate) => T): T[] => updates.map(f);
    await em.query(
      `UPDATE campaign_messages cm SET
         status = u.status,
         billable = coalesce(u.billable, cm.billable),
         wamid = CASE WHEN u.set_wamid THEN u.wamid ELSE cm.wamid END,
         error_code = CASE WHEN u.set_error THEN u.error_code ELSE cm.error_code END,
         error_title = CASE WHEN u.set_error THEN u.error_title ELSE cm.error_title END,
         error_details = CASE WHEN u.set_error THEN u.error_details ELSE cm.error_details END,
         next_attempt_at = CASE WHEN u.set_next THEN u.next_attempt_at ELSE cm.next_attempt_at END,
         pair_rate_failures = coalesce(u.pair_rate_failures, cm.pair_rate_failures),
         skip_reason = CASE WHEN u.status = 'skipped' THEN coalesce(u.skip_reason, cm.skip_reason) ELSE NULL END,
         sent_at = coalesce(cm.sent_at, u.sent_at),
         delivered_at = coalesce(cm.delivered_at, u.delivered_at),
         read_at = coalesce(cm.read_at, u.read_at),
         failed_at = coalesce(cm.failed_at, u.failed_at),
         clicked_at = coalesce(cm.clicked_at, u.clicked_at),
         pricing_category = coalesce(u.pricing_category, cm.pricing_category),
         claimed_at = CASE WHEN u.status = 'sending' THEN cm.claimed_at ELSE NULL END,
         updated_at = now()
        FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::boolean[], $5::text[], $6::boolean[], $7::int[],
                    $8::text[], $9::text[], $10::boolean[], $11::timestamptz[], $12::int[], $13::text[],
                    $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::timestamptz[],
                    $18::timestamptz[], $19::text[])
             AS u(id, status, billable, set_wamid, wamid, set_error, error_code, error_title, error_details,
                  set_next, next_attempt_at, pair_rate_failures, skip_reason, sent_at, delivered_at, read_at,
                  failed_at, clicked_at, pricing_category)
       WHERE cm.id = u.id`,
      [
        col('id', (u) => u.id),
        col('after', (u) => u.after.status),
        col('after', (u) => (u.after.billable ? true : null)),
        col('wamid', (u) => has(u, 'wamid')),
        col('wamid', (u) => u.wamid ?? null),
        col('errorCode', (u) => has(u, 'errorCode')),
        col('errorCode', (u) => u.errorCode ?? null),
        col('errorTitle', (u) => u.errorTitle ?? null),
        col('errorDetails', (u) => u.errorDetails ?? null),
        col('nextAttemptAt', (u) => has(u, 'nextAttemptAt')),
        col('nextAttemptAt', (u) => u.nextAttemptAt ?? null),
        col('pairRateFailures', (u) => u.pairRateFailures ?? null),
        col('skipReason', (u) => u.skipReason ?? null),
        col('sentAt', (u) => u.sentAt ?? null),
        col('deliveredAt', (u) => u.deliveredAt ?? null),
        col('readAt', (u) => u.readAt ?? null),
        col('failedAt', (u) => u.failedAt ?? null),
        col('clickedAt', (u) => u.clickedAt ?? null),
        col('pricingCategory', (u) => u.pricingCategory ?? null),
      ],
    );
    await this.bumpCounters(em, deltas);
  }

  /** Completes a running campaign once no message is pending or in flight. */
  async completeIfDone(id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `UPDATE campaigns SET status = 'completed', completed_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'running' AND targeted_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM campaign_messages WHERE campaign_id = $1 AND status IN ('pending', 'sending'))
        RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** When the next pending message of a campaign becomes due (null: none pending). */
  async nextDueAt(id: string): Promise<Date | null | 'now'> {
    const rows = await queryRows<{
      any_pending: boolean;
      due_now: boolean | null;
      next: Date | null;
    }>(
      this.db,
      `SELECT count(*) > 0 AS any_pending,
              bool_or(next_attempt_at IS NULL OR next_attempt_at <= now()) AS due_now,
              min(next_attempt_at) AS next
         FROM campaign_messages WHERE campaign_id = $1 AND status = 'pending'`,
      [id],
    );
    const r = rows[0];
    if (!r?.any_pending) {
      return null;
    }
    return r.due_now || !r.next ? 'now' : r.next;
  }

  /** Messages stuck in `sending` since before `olderThan`: their outcome is in doubt. */
  async inDoubt(olderThan: Date, limit = 500): Promise<InDoubtMessage[]> {
    const rows = await queryRows<{
      id: string;
      campaign_id: string;
      phone: string;
      phone_number_id: string;
      claimed_at: Date;
      claimed_by: string | null;
    }>(
      this.db,
      `SELECT cm.id, cm.campaign_id, cm.phone, p.phone_number_id, cm.claimed_at, cm.claimed_by
         FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id JOIN phone_numbers p ON p.id = c.phone_number_id
        WHERE cm.status = 'sending' AND cm.claimed_at < $1 ORDER BY cm.id LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      campaignId: r.campaign_id,
      phone: r.phone,
      phoneNumberId: r.phone_number_id,
      claimedAt: r.claimed_at,
      claimedBy: r.claimed_by,
    }));
  }

  /** Contacts among these who no longer have a current opt-in (checked right before sending). */
  async notOptedIn(contactIds: string[]): Promise<Set<string>> {
    if (contactIds.length === 0) {
      return new Set();
    }
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM contacts WHERE id = ANY($1::uuid[]) AND consent_status <> 'opted_in'`,
      [contactIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  async messages(
    ws: WorkspaceId,
    campaignId: string,
    limit: number,
    afterId: string | null,
    status?: string,
  ): Promise<{ data: CampaignMessageRecord[]; nextCursor: string | null }> {
    const rows = await queryRows<MessageRow>(
      this.db,
      `SELECT cm.* FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id
        WHERE c.workspace_id = $1 AND cm.campaign_id = $2 AND ($3::bigint IS NULL OR cm.id > $3)
          AND ($5::text IS NULL OR cm.status = $5)
        ORDER BY cm.id LIMIT $4`,
      [ws, campaignId, afterId, limit + 1, status ?? null],
    );
    const data = rows.slice(0, limit).map(toMessage);
    return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
  }

  /** In-doubt messages without proof of acceptance go back to the queue (still `sending` only). */
  async requeueInDoubt(em: Db, ids: string[]): Promise<number> {
    if (ids.length === 0) {
      return 0;
    }
    const rows = await queryRows<{ campaign_id: string }>(
      em,
      `UPDATE campaign_messages SET status = 'pending', claimed_at = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE id = ANY($1::bigint[]) AND status = 'sending' AND wamid IS NULL RETURNING campaign_id`,
      [ids],
    );
    const deltas = new Map<string, Partial<Counters>>();
    for (const r of rows) {
      addCounters(deltas.get(r.campaign_id) ?? deltas.set(r.campaign_id, {}).get(r.campaign_id)!, {
        sending: -1,
        queued: 1,
      });
    }
    await this.bumpCounters(em, deltas);
    return rows.length;
  }

  /** Messages never sent of a cancelled campaign become cancelled (counted out of `queued`). */
  async cancelPending(id: string): Promise<number> {
    return this.db.transaction(async (em) => {
      const rows = await queryRows<{ id: string }>(
        em,
        `UPDATE campaign_messages SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
          WHERE campaign_id = $1 AND status = 'pending' RETURNING id`,
        [id],
      );
      await this.bumpCounters(em, new Map([[id, { queued: -rows.length }]]));
      return rows.length;
    });
  }

  /** Campaigns of a template that are still live, for pausing when the template stops. */
  async liveCampaignsOfTemplates(em: Db, templateIds: string[]): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      em,
      `SELECT id FROM campaigns WHERE template_id = ANY($1::uuid[]) AND status IN ('scheduled', 'running', 'paused')`,
      [templateIds],
    );
    return rows.map((r) => r.id);
  }
}

interface LockRow {
  id: string;
  campaign_id: string;
  status: MessageStatus;
  wamid: string | null;
  sent_at: Date | null;
  clicked_at: Date | null;
  billable: boolean | null;
}

const LOCK_COLUMNS = 'id, campaign_id, status, wamid, sent_at, clicked_at, billable';

function toLocked(r: LockRow): LockedMessage {
  return {
    id: String(r.id),
    campaignId: r.campaign_id,
    status: r.status,
    wamid: r.wamid,
    accepted: r.wamid !== null || r.sent_at !== null,
    clicked: r.clicked_at !== null,
    billable: r.billable === true,
  };
}
