import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import { usAreaCodes } from '@app/audiences';
import { Database, queryRows, type Sql } from '@app/db';
import {
  ACCEPTED_SQL,
  cappedSql,
  compileFilter,
  driverOf,
  SqlParams,
  usPhoneSql,
  type CampaignOutcome,
  type CapWindow,
  type FilterNode,
} from '@app/segments';
import type { MessageStatus } from './delivery/domain/delivery-status';
import { nextStatus, type CampaignAction, type CampaignStatus } from './domain/campaign-status';
import { COUNTER_COLUMNS, zeroCounters, type Counters } from './domain/counters';
import type { MessageChange } from './domain/send-outcome';
import type {
  CampaignCreate,
  CampaignExclusion,
  CampaignMessageRecord,
  CampaignRecord,
  WinnerDecision,
} from './campaigns.types';
import type { AbTest } from './domain/ab-test';

/** IANA zones Node knows; a contact's zone outside this list falls back to the campaign's. */
const KNOWN_TIMEZONES: string[] = Intl.supportedValuesOf('timeZone');

interface CampaignRow {
  id: string;
  workspace_id: string;
  name: string;
  template_id: string;
  audience_id: string | null;
  segment_id: string | null;
  parent_campaign_id: string | null;
  follow_up_outcome: CampaignOutcome | null;
  exclude: CampaignExclusion[];
  holdout_percent: number;
  target_filter: FilterNode | null;
  target_reference_at: Date | null;
  variants: Array<{
    key: string;
    position: number;
    template_id: string;
    parameters: CampaignRecord['parameters'];
    weight: number;
  }> | null;
  ab_test: AbTest | null;
  winner_key: string | null;
  winner_decided_at: Date | null;
  winner_decision: WinnerDecision | null;
  phone_number_id: string;
  parameters: CampaignRecord['parameters'];
  status: CampaignStatus;
  status_reason: string | null;
  scheduled_at: Date | null;
  late_policy: CampaignRecord['latePolicy'];
  throughput_mps: number | null;
  product_policy: CampaignRecord['productPolicy'];
  message_activity_sharing: boolean | null;
  resume_at: Date | null;
  send_window: CampaignRecord['sendWindow'];
  targeted_at: Date | null;
  started_at: Date | null;
  paused_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  counters: Record<string, string> | null;
}

function toCampaign(r: CampaignRow): CampaignRecord {
  const counts = zeroCounters();
  for (const [k, col] of Object.entries(COUNTER_COLUMNS) as Array<[keyof Counters, string]>) {
    counts[k] = Number(r.counters?.[col] ?? 0);
  }
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    name: r.name,
    templateId: r.template_id,
    audienceId: r.audience_id,
    segmentId: r.segment_id,
    parentCampaignId: r.parent_campaign_id,
    followUpOutcome: r.follow_up_outcome,
    exclude: r.exclude,
    holdoutPercent: r.holdout_percent,
    targetFilter: r.target_filter,
    targetReferenceAt: r.target_reference_at,
    variants: (r.variants ?? []).map((v) => ({
      key: v.key,
      position: v.position,
      templateId: v.template_id,
      parameters: v.parameters,
      weight: v.weight,
    })),
    abTest: r.ab_test,
    winnerKey: r.winner_key,
    winnerDecidedAt: r.winner_decided_at,
    winnerDecision: r.winner_decision,
    phoneNumberId: r.phone_number_id,
    parameters: r.parameters,
    status: r.status,
    statusReason: r.status_reason,
    scheduledAt: r.scheduled_at,
    latePolicy: r.late_policy,
    throughputMps: r.throughput_mps,
    productPolicy: r.product_policy,
    messageActivitySharing: r.message_activity_sharing,
    resumeAt: r.resume_at,
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
  SELECT c.*, to_jsonb(k) - 'campaign_id' - 'updated_at' AS counters,
         (SELECT jsonb_agg(to_jsonb(v) - 'campaign_id' ORDER BY v.position)
            FROM campaign_variants v WHERE v.campaign_id = c.id) AS variants
    FROM campaigns c LEFT JOIN campaign_counts k ON k.campaign_id = c.id`;

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
  retries: number;
  attempts: number;
  last_request_at: Date | null;
  expires_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  clicked_at: Date | null;
  pricing_category: string | null;
  billable: boolean | null;
  variant_sent: string | null;
  link_clicks: Array<{
    linkIndex: number;
    clicks: number;
    firstClickAt: string;
    lastClickAt: string;
  }> | null;
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
    retries: r.retries,
    attempts: r.attempts,
    lastRequestAt: r.last_request_at,
    expiresAt: r.expires_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    failedAt: r.failed_at,
    clickedAt: r.clicked_at,
    pricingCategory: r.pricing_category,
    billable: r.billable,
    variant: r.variant_sent,
    linkClicks: (r.link_clicks ?? []).map((l) => ({
      linkIndex: l.linkIndex,
      clicks: l.clicks,
      firstClickAt: new Date(l.firstClickAt),
      lastClickAt: new Date(l.lastClickAt),
    })),
    trackedLinks: [],
  };
}

/** A message whose send may have reached Meta without us knowing (see InDoubtReconciler). */
/** A claim as a reconciler saw it: a write applies only while the row still shows it. */
export type ObservedClaim = Pick<UnsettledMessage, 'id' | 'claimedBy' | 'claimedAt'>;

/** A request in doubt as a reconciler saw it (its request time tells one request from the next). */
export interface ObservedInDoubt {
  id: string;
  lastRequestAt: Date;
}

/** Where a page of unsettled messages ended, per kind (null: start from the oldest). */
export interface UnsettledKey {
  claimedAt: Date;
  id: string;
}

export interface UnsettledCursor {
  claims: UnsettledKey | null;
  inDoubt: UnsettledKey | null;
}

export const NO_UNSETTLED_CURSOR: UnsettledCursor = { claims: null, inDoubt: null };

export interface UnsettledMessage {
  id: string;
  campaignId: string;
  status: MessageStatus;
  phone: string;
  /** Meta's phone-number id the campaign sends from. */
  phoneNumberId: string;
  attempts: number;
  retries: number;
  claimedAt: Date;
  claimedBy: string | null;
  lastRequestAt: Date | null;
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

/** What a snapshot (and the plan, which predicts it) needs to judge each contact of a target. */
export interface SnapshotSpec {
  campaignId: string;
  workspaceId: string;
  filter: FilterNode;
  /** "Now" of the target's withinDays leaves: when it was frozen. */
  referenceAt: Date;
  /** Contact fields the template binds, as paths (e.g. ["attributes", "firstName"]). */
  boundPaths: string[][];
  holdoutPercent: number;
}

/**
 * Why a contact `c` of a campaign's target is not sent to, or NULL: no opt-in or a bound field
 * missing (skipReasonSql), a US number (MMLITE §1.8), or the holdout — a reproducible share of
 * the eligible, by a hash of contact and campaign, so every plan and the snapshot agree. With a
 * frequency cap (the plan's estimate only; sends check it atomically when claimed) also that.
 */
function judgeSql(
  p: SqlParams,
  pathsParam: string,
  s: Pick<SnapshotSpec, 'campaignId' | 'holdoutPercent'>,
  cap: CapWindow | null = null,
): string {
  const holdout = p.add(s.holdoutPercent, 'int');
  return `coalesce(
    ${skipReasonSql(pathsParam)},
    CASE WHEN ${usPhoneSql(p, usAreaCodes())} THEN 'us_recipient' END,
    CASE WHEN ${holdout} > 0
          AND (hashtextextended(c.id::text || ${p.add(s.campaignId, 'text')}, 0) % 10000 + 10000) % 10000
              < ${holdout} * 100
         THEN 'holdout' END${
           cap
             ? `,
    CASE WHEN ${cappedSql(p, cap)} THEN 'frequency_cap' END`
             : ''
         })`;
}

/** The contact's values of the bound fields (`{"attributes.firstName": "Ana"}`), or NULL for none. */
export function boundValuesSql(pathsParam: string): string {
  return `(SELECT jsonb_object_agg(array_to_string(ARRAY(SELECT jsonb_array_elements_text(bp)), '.'),
                                   CASE bp->>0 WHEN 'locale' THEN to_jsonb(c.locale)
                                               WHEN 'timezone' THEN to_jsonb(c.timezone)
                                               WHEN 'phone' THEN to_jsonb(c.phone)
                                               ELSE c.attributes #> ARRAY(SELECT jsonb_array_elements_text(bp) OFFSET 1)
                                   END)
             FROM jsonb_array_elements(${pathsParam}) bp)`;
}

/** A claimed message with what rendering needs of its contact. */
export interface ClaimedMessage {
  id: string;
  contactId: string;
  phone: string;
  attempts: number;
  pairRateFailures: number;
  /** Manual retries so far: part of the callback data, so a status of an earlier request never settles this one. */
  retries: number;
  /** Its A/B variant (null: the campaign has none, or it is of the rest, sent with the winner). */
  variant: string | null;
  /** The bound values frozen at the snapshot; null for messages snapshotted before they were. */
  boundValues: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
}

/** One message's outcome, as the sender writes it back (see domain/send-outcome.ts). */
export interface MessageOutcome {
  id: string;
  change: Omit<MessageChange, 'nextAttemptAt'> & { nextAttemptAt?: Date | null };
  /** When its request left (for `requested` changes). */
  requestAt: Date | null;
  /** When Meta drops it undelivered (the template's TTL after acceptance, frozen at send); null: no TTL. */
  expiresAt?: Date | null;
}

/** Which of a campaign's messages to list. */
export interface MessageFilter {
  status?: string;
  errorCode?: number;
}

export interface SendWindowFilter {
  start: string;
  end: string;
  timezone: string;
  perContactTimezone: boolean;
}

/** Snapshots at least this large refresh the planner's statistics (see refreshStatsAfterSnapshot). */
export const ANALYZE_AFTER_SNAPSHOT_ROWS = 10_000;

export interface SnapshotChunk {
  inserted: number;
  lastContactId: string | null;
}

/** Stamp columns of the statuses a campaign moves into. */
const STAMPS: Partial<Record<CampaignStatus, string>> = {
  running: 'started_at = coalesce(started_at, $3)',
  paused: 'paused_at = $3',
  completed: 'completed_at = $3',
  cancelled: 'cancelled_at = $3',
  failed: 'failed_at = $3',
};

/**
 * The id of campaign $1's first pending message, from campaign_messages_claimable_idx. Written
 * so that only an index on (campaign_id, id) can give the order: with `campaign_id = $1` the
 * planner, trusting statistics from when every message was pending, takes min(id) along the
 * primary key instead and filters its way past every row already sent (74,535 rows, 119,185
 * buffers for one probe, measured). `= ANY (ARRAY[$1])` keeps campaign_id a sort key.
 */
const FIRST_PENDING = `SELECT f.id FROM campaign_messages f
  WHERE f.campaign_id = ANY (ARRAY[$1::uuid]) AND f.status = 'pending'
  ORDER BY f.campaign_id, f.id LIMIT 1`;

/** All SQL of campaigns and their messages. Times that rules depend on come in as parameters. */
@Injectable()
export class CampaignsRepository {
  constructor(readonly db: Database) {}

  async insert(ws: WorkspaceId, c: CampaignCreate): Promise<CampaignRecord> {
    return this.db.tx(async (tx) => {
      const rows = await queryRows<{ id: string }>(
        tx,
        `INSERT INTO campaigns (workspace_id, name, template_id, audience_id, segment_id, parent_campaign_id,
            follow_up_outcome, exclude, holdout_percent, phone_number_id, parameters, scheduled_at,
            throughput_mps, send_window, late_policy, ab_test, product_policy, message_activity_sharing)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         RETURNING id`,
        [
          ws,
          c.name,
          c.templateId,
          c.audienceId ?? null,
          c.segmentId ?? null,
          c.followUp?.campaignId ?? null,
          c.followUp?.outcome ?? null,
          JSON.stringify(c.exclude ?? []),
          c.holdoutPercent ?? 0,
          c.phoneNumberId,
          JSON.stringify(c.parameters),
          c.scheduledAt ?? null,
          c.throughputMps ?? null,
          c.sendWindow ? JSON.stringify(c.sendWindow) : null,
          c.latePolicy ?? 'send',
          c.abTest ? JSON.stringify(c.abTest) : null,
          c.productPolicy ?? 'STRICT',
          c.messageActivitySharing ?? null,
        ],
      );
      const id = (rows[0] as { id: string }).id;
      await tx.query(`INSERT INTO campaign_counters (campaign_id) VALUES ($1)`, [id]);
      if (c.variants && c.variants.length > 0) {
        await tx.query(
          `INSERT INTO campaign_variants (campaign_id, key, position, template_id, parameters, weight)
           SELECT $1, key, position, template_id, parameters, weight
             FROM unnest($2::text[], $3::int[], $4::uuid[], $5::jsonb[], $6::int[])
                  AS v(key, position, template_id, parameters, weight)`,
          [
            id,
            c.variants.map((v) => v.key),
            c.variants.map((_, i) => i),
            c.variants.map((v) => v.templateId),
            c.variants.map((v) => JSON.stringify(v.parameters)),
            c.variants.map((v) => v.weight),
          ],
        );
      }
      return (await this.find(ws, id, tx)) as CampaignRecord;
    });
  }

  /**
   * Freezes what the campaign targets (the first call wins; a resumed snapshot reads it back),
   * so a segment edited or a parent's outcomes changing later never shift a snapshot under way.
   */
  async freezeTarget(
    id: string,
    filter: FilterNode,
    at: Date,
  ): Promise<{ filter: FilterNode; at: Date }> {
    const rows = await queryRows<{ target_filter: FilterNode; target_reference_at: Date }>(
      this.db,
      `WITH set AS (
         UPDATE campaigns SET target_filter = $2, target_reference_at = $3
          WHERE id = $1 AND target_filter IS NULL RETURNING target_filter, target_reference_at
       )
       SELECT target_filter, target_reference_at FROM set
       UNION ALL
       SELECT target_filter, target_reference_at FROM campaigns
        WHERE id = $1 AND target_filter IS NOT NULL AND NOT EXISTS (SELECT 1 FROM set)`,
      [id, JSON.stringify(filter), at],
    );
    const r = rows[0] as { target_filter: FilterNode; target_reference_at: Date };
    return { filter: r.target_filter, at: r.target_reference_at };
  }

  async find(ws: WorkspaceId, id: string, tx: Sql = this.db): Promise<CampaignRecord | null> {
    const rows = await queryRows<CampaignRow>(
      tx,
      `${SELECT_CAMPAIGN} WHERE c.workspace_id = $1 AND c.id = $2`,
      [ws, id],
    );
    return rows[0] ? toCampaign(rows[0]) : null;
  }

  /** For the worker, which acts on a campaign id from a job without a workspace in hand. */
  async findById(id: string, tx: Sql = this.db): Promise<CampaignRecord | null> {
    const rows = await queryRows<CampaignRow>(tx, `${SELECT_CAMPAIGN} WHERE c.id = $1`, [id]);
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
    order: 'asc' | 'desc' = 'asc',
  ): Promise<Page<CampaignRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    // The page after the cursor in creation order, oldest or newest first.
    const [after, dir] = order === 'desc' ? ['<', 'DESC'] : ['>', 'ASC'];
    const rows = await queryRows<CampaignRow & { created_at: Date }>(
      this.db,
      `${SELECT_CAMPAIGN}
        WHERE c.workspace_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) ${after} ($2, $3::uuid))
          AND ($5::text IS NULL OR c.status = $5)
        ORDER BY c.created_at ${dir}, c.id ${dir} LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1, status ?? null],
    );
    return toPage(rows.map(toCampaign), limit);
  }

  /**
   * Moves a campaign with `action`, the target derived by the state machine from its current
   * status (row-locked, so two workers or two requests racing cannot both win). Returns the
   * campaign after the move, or null when the action is not allowed from where it is.
   */
  async transition(
    id: string,
    action: CampaignAction,
    reason: string | null,
    now: Date,
    tx?: Sql,
    /** A pause the engine lifts by itself at this time (a hold); any other move clears it. */
    resumeAt: Date | null = null,
  ): Promise<CampaignRecord | null> {
    const run = async (t: Sql): Promise<CampaignRecord | null> => {
      const rows = await queryRows<{ status: CampaignStatus; scheduled_at: Date | null }>(
        t,
        `SELECT status, scheduled_at FROM campaigns WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      const to = row
        ? nextStatus(row.status, action, { scheduledAt: row.scheduled_at, now })
        : null;
      if (!to) {
        return null;
      }
      await t.query(
        `UPDATE campaigns SET status = $2, status_reason = $4, updated_at = $3,
                resume_at = CASE WHEN $2 = 'paused' THEN $5::timestamptz END
                ${STAMPS[to] ? `, ${STAMPS[to]}` : ''}
          WHERE id = $1`,
        [id, to, now, reason, resumeAt],
      );
      return this.findById(id, t);
    };
    return tx ? run(tx) : this.db.tx(run);
  }

  /** Scheduled campaigns whose time has come, oldest first (the caller moves each atomically). */
  async dueScheduled(
    now: Date,
    limit = 100,
  ): Promise<Array<{ id: string; scheduledAt: Date; latePolicy: 'send' | 'fail' }>> {
    const rows = await queryRows<{ id: string; scheduled_at: Date; late_policy: 'send' | 'fail' }>(
      this.db,
      `SELECT id, scheduled_at, late_policy FROM campaigns
        WHERE status = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, scheduledAt: r.scheduled_at, latePolicy: r.late_policy }));
  }

  /** Held campaigns whose hold is over (the caller resumes each through the state machine). */
  async dueHolds(now: Date, limit = 100): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM campaigns WHERE resume_at <= $1 AND status = 'paused' ORDER BY resume_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async runningIds(): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM campaigns WHERE status = 'running'`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Splits the test share of a snapshotted A/B campaign exactly: its pending messages ranked by a
   * hash of campaign and contact (reproducible), the first `testSize` get a variant by rank
   * (variantOfRank's pattern of the weights), the rest keep none and wait for the winner.
   * Idempotent: the same snapshot gives the same split, so a restarted snapshot may run it again.
   */
  async assignVariants(
    campaignId: string,
    variants: ReadonlyArray<{ key: string; weight: number }>,
    testPercent: number,
  ): Promise<number> {
    const total = variants.reduce((sum, v) => sum + v.weight, 0);
    const slots = variants.flatMap((v) => Array.from({ length: v.weight }, () => v.key));
    const rows = await queryRows<{ n: number }>(
      this.db,
      `WITH ranked AS (
         SELECT id, row_number() OVER (ORDER BY hashtextextended(contact_id::text || $1, 1), id) - 1 AS r,
                count(*) OVER () AS n
           FROM campaign_messages WHERE campaign_id = $1 AND status = 'pending'
       ), picked AS (
         SELECT id, ($3::text[])[(r % $4) + 1] AS variant FROM ranked
          WHERE r < round(n * $2::numeric / 100)
       ), upd AS (
         UPDATE campaign_messages cm SET variant = p.variant, updated_at = now()
           FROM picked p WHERE cm.id = p.id AND cm.variant IS DISTINCT FROM p.variant
         RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM picked) AS n`,
      [campaignId, testPercent, slots, total],
    );
    return rows[0]?.n ?? 0;
  }

  /** How each variant's test share is doing on the A/B test's metric (for the decision and the report). */
  async variantResults(campaignId: string): Promise<
    Array<{
      variant: string;
      messages: number;
      sent: number;
      delivered: number;
      read: number;
      clicked: number;
      converted: number;
      unsettled: number;
    }>
  > {
    const rows = await queryRows<Record<string, string> & { variant: string }>(
      this.db,
      `SELECT cm.variant, count(*) AS messages,
              count(*) FILTER (WHERE ${ACCEPTED_SQL('cm')}) AS sent,
              count(*) FILTER (WHERE cm.status IN ('delivered', 'read')) AS delivered,
              count(*) FILTER (WHERE cm.status = 'read') AS read,
              count(*) FILTER (WHERE cm.clicked_at IS NOT NULL AND cm.status IN ('delivered', 'read')) AS clicked,
              count(*) FILTER (WHERE cm.status IN ('delivered', 'read')
                                 AND EXISTS (SELECT 1 FROM campaign_converted_messages x
                                              WHERE x.campaign_message_id = cm.id)) AS converted,
              count(*) FILTER (WHERE cm.status IN ('pending', 'sending', 'in_doubt')) AS unsettled
         FROM campaign_messages cm
        WHERE cm.campaign_id = $1 AND cm.variant IS NOT NULL
        GROUP BY cm.variant`,
      [campaignId],
    );
    return rows.map((r) => ({
      variant: r.variant,
      messages: Number(r.messages),
      sent: Number(r.sent),
      delivered: Number(r.delivered),
      read: Number(r.read),
      clicked: Number(r.clicked),
      converted: Number(r.converted),
      unsettled: Number(r.unsettled),
    }));
  }

  /** Sets the winner once: false when one was already set (by the rule, or promoted by hand). */
  async setWinner(id: string, key: string, decision: WinnerDecision, at: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `UPDATE campaigns SET winner_key = $2, winner_decision = $3, winner_decided_at = $4, updated_at = now()
        WHERE id = $1 AND winner_key IS NULL RETURNING id`,
      [id, key, JSON.stringify(decision), at],
    );
    return rows.length > 0;
  }

  /** Running A/B campaigns whose winner is not decided yet (the tick may decide it). */
  async undecidedAbTests(): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM campaigns WHERE status = 'running' AND ab_test IS NOT NULL AND winner_key IS NULL
          AND targeted_at IS NOT NULL`,
    );
    return rows.map((r) => r.id);
  }

  async markTargeted(id: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE campaigns SET targeted_at = coalesce(targeted_at, $2) WHERE id = $1`,
      [id, now],
    );
  }

  /**
   * Snapshots the next chunk of the campaign's frozen target into campaign messages: pending if
   * eligible (with the values its template binds, frozen), else skipped with a reason. Chunks
   * follow contact ids of the filter's driver (an audience, a parent campaign, or the workspace).
   * Idempotent (the unique key drops rows already there); counted by trigger.
   */
  async snapshotChunk(
    s: SnapshotSpec,
    afterContactId: string | null,
    limit: number,
  ): Promise<SnapshotChunk> {
    const p = new SqlParams([s.campaignId, s.workspaceId, afterContactId, limit]);
    const driver = driverOf(s.filter);
    const chunk =
      driver.kind === 'audience'
        ? `SELECT m.contact_id FROM audience_members m
            WHERE m.audience_id = ${p.add(driver.id, 'uuid')} AND ($3::uuid IS NULL OR m.contact_id > $3)
            ORDER BY m.contact_id LIMIT $4`
        : driver.kind === 'campaign'
          ? `SELECT cm.contact_id FROM campaign_messages cm
              WHERE cm.campaign_id = ${p.add(driver.id, 'uuid')} AND ($3::uuid IS NULL OR cm.contact_id > $3)
              ORDER BY cm.contact_id LIMIT $4`
          : `SELECT c.id AS contact_id FROM contacts c
              WHERE c.workspace_id = $2 AND ($3::uuid IS NULL OR c.id > $3)
              ORDER BY c.id LIMIT $4`;
    const where = compileFilter(s.filter, p, { now: s.referenceAt });
    const paths = p.add(JSON.stringify(s.boundPaths), 'jsonb');
    // One statement: the chunk is read once (its last id is the next cursor, also when a resumed
    // snapshot inserts nothing), contacts are fetched by primary key (a join let the planner hash
    // a scan of every contact per chunk), and each contact is judged once.
    const rows = await queryRows<{ inserted: number; last: string | null }>(
      this.db,
      `WITH chunk AS MATERIALIZED (${chunk}),
       judged AS MATERIALIZED (
         SELECT c.id, c.phone, ${judgeSql(p, paths, s)} AS reason, ${boundValuesSql(paths)} AS bound
           FROM contacts c
          WHERE c.id = ANY(ARRAY(SELECT contact_id FROM chunk)) AND c.workspace_id = $2 AND ${where}
       ), ins AS (
         INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, skip_reason, bound_values)
         SELECT $1, id, phone, CASE WHEN reason IS NULL THEN 'pending' ELSE 'skipped' END, reason,
                CASE WHEN reason IS NULL THEN bound END
           FROM judged ORDER BY id
         ON CONFLICT (campaign_id, contact_id) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM ins) AS inserted,
              (SELECT contact_id FROM chunk ORDER BY contact_id DESC LIMIT 1) AS last`,
      p.values,
    );
    return { inserted: rows[0]?.inserted ?? 0, lastContactId: rows[0]?.last ?? null };
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

  /**
   * Claims up to `limit` due pending messages for sending (SKIP LOCKED: many lanes and workers),
   * re-checking consent now: a contact who opted out since the snapshot is skipped instead. A send
   * window restricts the claim to contacts whose local time is inside it. With a frequency cap,
   * the claimed contacts are locked (advisory, in one order) before their messages in the window
   * are counted, so two campaigns claiming one contact at once take turns and the second sees the
   * first's claim: a capped contact is skipped (`frequency_cap`). Claiming is not a request:
   * `attempts` grows only when one leaves.
   */
  async claim(
    campaignId: string,
    workerId: string,
    limit: number,
    window: SendWindowFilter | null,
    now: Date,
    cap: CapWindow | null = null,
    /** An A/B test without a winner yet: only its test share may go. */
    testShareOnly = false,
  ): Promise<ClaimedMessage[]> {
    return this.db.tx(
      async (tx) => {
        const picked = await queryRows<{ id: string; contact_id: string }>(
          tx,
          `SELECT cm.id, cm.contact_id FROM campaign_messages cm
             JOIN contacts c ON c.id = cm.contact_id
             CROSS JOIN LATERAL (
               SELECT ($6::timestamptz AT TIME ZONE (CASE WHEN $7 AND c.timezone = ANY($8::text[])
                                                     THEN c.timezone ELSE coalesce($3, 'UTC') END))::time AS t
             ) local
            WHERE cm.campaign_id = $1 AND cm.status = 'pending'
              -- From the campaign's first pending message on (FIRST_PENDING): the planner's
              -- statistics, taken when every message was pending, favour a walk of the primary key
              -- from the table's start, which passed every row of earlier campaigns and every
              -- message this one had sent (100,000 buffers per pick, 161 ms, in the benchmark).
              AND cm.id >= (${FIRST_PENDING})
              -- In the statement that picks: an outcome write puts a message back and pauses in
              -- one transaction, so this sees the pause or still sees the message as sending.
              AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = $1 AND k.status = 'running')
              AND (cm.next_attempt_at IS NULL OR cm.next_attempt_at <= $6)
              AND (NOT $9::boolean OR cm.variant IS NOT NULL)
              AND ($3::text IS NULL OR CASE WHEN $4::time < $5::time
                                            THEN local.t >= $4::time AND local.t < $5::time
                                            ELSE local.t >= $4::time OR local.t < $5::time END)
            ORDER BY cm.id LIMIT $2
            FOR UPDATE OF cm SKIP LOCKED`,
          [
            campaignId,
            limit,
            window?.timezone ?? null,
            window?.start ?? null,
            window?.end ?? null,
            now,
            window?.perContactTimezone ?? false,
            window?.perContactTimezone ? KNOWN_TIMEZONES : [],
            testShareOnly,
          ],
        );
        if (picked.length === 0) {
          return [];
        }
        if (cap) {
          await tx.query(
            `SELECT pg_advisory_xact_lock(k)
               FROM (SELECT DISTINCT hashtextextended(id::text, 11) AS k FROM unnest($1::uuid[]) id) t
              ORDER BY k`,
            [picked.map((r) => r.contact_id)],
          );
        }
        // A new statement, so (in READ COMMITTED) it sees every claim committed before the locks.
        const p = new SqlParams([picked.map((r) => r.id), workerId, now]);
        const capped = cap ? cappedSql(p, cap) : 'false';
        const rows = await queryRows<{
          id: string;
          contact_id: string;
          phone: string;
          attempts: number;
          pair_rate_failures: number;
          retries: number;
          variant: string | null;
          bound_values: Record<string, unknown> | null;
          attributes: Record<string, unknown> | null;
          locale: string | null;
          timezone: string | null;
          verdict: 'send' | 'opted_out' | 'no_opt_in' | 'frequency_cap';
        }>(
          tx,
          `WITH judged AS (
             SELECT cm.id, CASE WHEN c.consent_status = 'opted_out' THEN 'opted_out'
                                WHEN c.consent_status <> 'opted_in' THEN 'no_opt_in'
                                WHEN ${capped} THEN 'frequency_cap'
                                ELSE 'send' END AS verdict
               FROM campaign_messages cm JOIN contacts c ON c.id = cm.contact_id
              WHERE cm.id = ANY($1::bigint[])
           )
           UPDATE campaign_messages cm SET
             status = CASE WHEN j.verdict = 'send' THEN 'sending' ELSE 'skipped' END,
             skip_reason = CASE WHEN j.verdict = 'send' THEN NULL ELSE j.verdict END,
             claimed_at = CASE WHEN j.verdict = 'send' THEN $3::timestamptz END,
             claimed_by = CASE WHEN j.verdict = 'send' THEN $2 END,
             updated_at = now()
             FROM judged j, contacts c
            WHERE cm.id = j.id AND c.id = cm.contact_id
           RETURNING cm.id, cm.contact_id, cm.phone, cm.attempts, cm.pair_rate_failures, cm.retries,
                     cm.variant, cm.bound_values, CASE WHEN cm.bound_values IS NULL THEN c.attributes END AS attributes,
                     c.locale, c.timezone, j.verdict`,
          p.values,
        );
        return rows
          .filter((r) => r.verdict === 'send')
          .sort((a, b) => Number(a.id) - Number(b.id))
          .map((r) => ({
            id: String(r.id),
            contactId: r.contact_id,
            phone: r.phone,
            attempts: r.attempts,
            pairRateFailures: r.pair_rate_failures,
            retries: r.retries,
            variant: r.variant,
            boundValues: r.bound_values,
            attributes: r.attributes ?? {},
            locale: r.locale,
            timezone: r.timezone,
          }));
      },
      { retries: 3 },
    );
  }

  /**
   * Writes a lane's outcomes in one statement and releases this worker's claims. A row moves only
   * while this worker's claim on it stands and no status webhook has settled it first — or when
   * Meta accepted it and the row was meanwhile handed back for a resend (then `sent` with its
   * wamid stops the resend). `attempts` grows for every request that left, whoever owns the row.
   * The caller then projects the ledger onto the wamids it wrote (a status may already be there).
   */
  async writeOutcomes(
    tx: Sql,
    workerId: string,
    outcomes: readonly MessageOutcome[],
  ): Promise<void> {
    if (outcomes.length === 0) {
      return;
    }
    const col = <T>(f: (o: MessageOutcome) => T): T[] => outcomes.map(f);
    const has = (o: MessageOutcome, k: keyof MessageOutcome['change']): boolean =>
      o.change[k] !== undefined;
    // Applies: this worker's claim stands and no wamid it does not know of has come in (a status
    // webhook already decided the row), or Meta accepted a row meanwhile handed back for a resend.
    // Written into each SET so it reads the row as locked, not a snapshot of it.
    const own = `cm.claimed_by = $1`;
    const applies = `((${own} AND (cm.wamid IS NULL OR cm.wamid = u.wamid))
      OR (u.wamid IS NOT NULL AND cm.wamid IS NULL AND cm.status IN ('pending', 'in_doubt')))`;
    await tx.query(
      `UPDATE campaign_messages cm SET
         attempts = cm.attempts + CASE WHEN u.requested THEN 1 ELSE 0 END,
         last_request_at = CASE WHEN u.requested THEN u.request_at ELSE cm.last_request_at END,
         expires_at = CASE WHEN ${applies} AND u.requested THEN u.expires_at ELSE cm.expires_at END,
         status = CASE WHEN ${applies} THEN u.status ELSE cm.status END,
         wamid = CASE WHEN ${applies} THEN coalesce(cm.wamid, u.wamid) ELSE cm.wamid END,
         sent_at = CASE WHEN ${applies} THEN coalesce(cm.sent_at, u.sent_at) ELSE cm.sent_at END,
         failed_at = CASE WHEN ${applies} AND u.status = 'failed' THEN u.failed_at ELSE cm.failed_at END,
         error_code = CASE WHEN ${applies} AND u.set_error THEN u.error_code ELSE cm.error_code END,
         error_title = CASE WHEN ${applies} AND u.set_error THEN u.error_title ELSE cm.error_title END,
         error_details = CASE WHEN ${applies} AND u.set_error THEN u.error_details ELSE cm.error_details END,
         next_attempt_at = CASE WHEN ${applies} AND u.set_next THEN u.next_attempt_at ELSE cm.next_attempt_at END,
         pair_rate_failures = CASE WHEN ${applies} THEN coalesce(u.pair_rate_failures, cm.pair_rate_failures)
                                   ELSE cm.pair_rate_failures END,
         skip_reason = CASE WHEN NOT ${applies} THEN cm.skip_reason
                            WHEN u.status = 'skipped' THEN u.skip_reason END,
         claimed_by = CASE WHEN ${own} THEN NULL ELSE cm.claimed_by END,
         claimed_at = CASE WHEN ${own} AND NOT (${applies} AND u.status = 'in_doubt') THEN NULL
                           ELSE cm.claimed_at END,
         updated_at = now()
        FROM unnest($2::bigint[], $3::text[], $4::boolean[], $5::timestamptz[], $6::text[],
                    $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::int[], $11::text[],
                    $12::text[], $13::boolean[], $14::timestamptz[], $15::int[], $16::text[],
                    $17::timestamptz[])
             AS u(id, status, requested, request_at, wamid, sent_at, failed_at, set_error, error_code,
                  error_title, error_details, set_next, next_attempt_at, pair_rate_failures, skip_reason,
                  expires_at)
       WHERE cm.id = u.id`,
      [
        workerId,
        col((o) => o.id),
        col((o) => o.change.status),
        col((o) => o.change.requested),
        col((o) => o.requestAt),
        col((o) => o.change.wamid ?? null),
        col((o) => o.change.sentAt ?? null),
        col((o) => o.change.failedAt ?? null),
        col((o) => has(o, 'error')),
        col((o) => o.change.error?.code ?? null),
        col((o) => o.change.error?.title.slice(0, 500) ?? null),
        col((o) => o.change.error?.details?.slice(0, 2000) ?? null),
        col((o) => has(o, 'nextAttemptAt')),
        col((o) => o.change.nextAttemptAt ?? null),
        col((o) => o.change.pairRateFailures ?? null),
        col((o) => o.change.skipReason ?? null),
        col((o) => o.expiresAt ?? null),
      ],
    );
  }

  /** Completes a running campaign once nothing is pending, in flight or in doubt, and no claim is held. */
  async completeIfDone(id: string, now: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `UPDATE campaigns SET status = 'completed', completed_at = $2, updated_at = $2
        WHERE id = $1 AND status = 'running' AND targeted_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM campaign_messages
                           WHERE campaign_id = $1
                             AND (status IN ('pending', 'sending', 'in_doubt') OR claimed_by IS NOT NULL))
        RETURNING id`,
      [id, now],
    );
    return rows.length > 0;
  }

  /** When the next pending message of a campaign becomes due (null: none pending). */
  async nextDueAt(id: string, now: Date): Promise<Date | null | 'now'> {
    const rows = await queryRows<{
      any_pending: boolean;
      due_now: boolean | null;
      next: Date | null;
    }>(
      this.db,
      // Stops at the first message due now (the usual answer mid-campaign) instead of counting
      // every pending one; only when none is due does it look for the earliest retry.
      // From the first pending message on, as the claim reads (see there why), and in id order so
      // it walks the pending index: with statistics from the snapshot (every message pending) the
      // planner read the whole table for a LIMIT 1 that found nothing once only retries were left
      // (82 ms a call, 6.6 s of Postgres in scenario a).
      `WITH first AS MATERIALIZED (SELECT (${FIRST_PENDING}) AS id), due AS MATERIALIZED (
         SELECT 1 FROM campaign_messages
          WHERE campaign_id = $1 AND status = 'pending' AND id >= (SELECT id FROM first)
            AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
          ORDER BY campaign_id, id LIMIT 1
       )
       SELECT EXISTS (SELECT 1 FROM due) AS due_now,
              CASE WHEN NOT EXISTS (SELECT 1 FROM due) THEN
                (SELECT min(next_attempt_at) FROM campaign_messages
                  WHERE campaign_id = $1 AND status = 'pending' AND id >= (SELECT id FROM first))
              END AS next,
              (SELECT id FROM first) IS NOT NULL AS any_pending`,
      [id, now],
    );
    const r = rows[0];
    if (!r?.any_pending) {
      return null;
    }
    return r.due_now || !r.next ? 'now' : r.next;
  }

  /**
   * Messages that may have reached Meta without us knowing — in doubt, or claimed (of which the
   * caller keeps only those of dead workers) — since before `olderThan`, a page at a time: each
   * kind (claims; requests in doubt) continues after its cursor in (claimed_at, id) order, `limit`
   * at most of each. Taken together, 500 older messages in doubt that cannot be resent yet (a
   * campaign with no later traffic waits five deadlines) hid every newer claim of a dead worker,
   * so its campaign never completed (seen in CI after a SIGKILL). A kind whose page came back
   * short starts from the oldest again next time (its cursor is null), so every unsettled message
   * is read within a few pages, however many older ones cannot be settled yet.
   */
  async unsettledPage(
    olderThan: Date,
    limit: number,
    after: UnsettledCursor,
  ): Promise<{ messages: UnsettledMessage[]; next: UnsettledCursor }> {
    const params: unknown[] = [olderThan, limit];
    const keyset = (key: UnsettledKey | null): string => {
      if (!key) {
        return '';
      }
      params.push(key.claimedAt, key.id);
      return `AND (claimed_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`;
    };
    const claimsAfter = keyset(after.claims);
    const inDoubtAfter = keyset(after.inDoubt);
    const rows = await queryRows<{
      id: string;
      kind: 'claims' | 'inDoubt';
      campaign_id: string;
      status: MessageStatus;
      phone: string;
      phone_number_id: string;
      attempts: number;
      retries: number;
      claimed_at: Date;
      claimed_by: string | null;
      last_request_at: Date | null;
    }>(
      this.db,
      `SELECT cm.id, u.kind, cm.campaign_id, cm.status, cm.phone, p.phone_number_id, cm.attempts, cm.retries,
              cm.claimed_at, cm.claimed_by, cm.last_request_at
         FROM ((SELECT id, 'claims' AS kind FROM campaign_messages
                 WHERE (status = 'sending' OR claimed_by IS NOT NULL) AND claimed_at < $1 ${claimsAfter}
                 ORDER BY claimed_at, id LIMIT $2)
               UNION ALL
               (SELECT id, 'inDoubt' AS kind FROM campaign_messages
                 WHERE status = 'in_doubt' AND claimed_at < $1 ${inDoubtAfter}
                 ORDER BY claimed_at, id LIMIT $2)) u
         JOIN campaign_messages cm ON cm.id = u.id
         JOIN campaigns c ON c.id = cm.campaign_id
         JOIN phone_numbers p ON p.id = c.phone_number_id
        ORDER BY cm.claimed_at, cm.id`,
      params,
    );
    const lastOf = (kind: 'claims' | 'inDoubt'): UnsettledKey | null => {
      const mine = rows.filter((r) => r.kind === kind);
      const last = mine[mine.length - 1];
      return mine.length < limit || !last
        ? null
        : { claimedAt: last.claimed_at, id: String(last.id) };
    };
    const seen = new Set<string>();
    const messages: UnsettledMessage[] = [];
    for (const r of rows) {
      // An in-doubt message still claimed comes in both kinds: judged once.
      if (seen.has(String(r.id))) {
        continue;
      }
      seen.add(String(r.id));
      messages.push({
        id: String(r.id),
        campaignId: r.campaign_id,
        status: r.status,
        phone: r.phone,
        phoneNumberId: r.phone_number_id,
        attempts: r.attempts,
        retries: r.retries,
        claimedAt: r.claimed_at,
        claimedBy: r.claimed_by,
        lastRequestAt: r.last_request_at,
      });
    }
    return { messages, next: { claims: lastOf('claims'), inDoubt: lastOf('inDoubt') } };
  }

  /**
   * Claims of dead workers without proof: in doubt from `at`, when the worker was found dead.
   * Whatever it sent left before then; when exactly is unknown, so the resend deadline counts from here.
   */
  async markDeadClaimsInDoubt(tx: Sql, claims: readonly ObservedClaim[], at: Date): Promise<void> {
    if (claims.length > 0) {
      // Only while the dead worker's claim is the one seen: a row since requeued and claimed by a
      // live worker is that worker's.
      await tx.query(
        `UPDATE campaign_messages cm SET status = 'in_doubt', last_request_at = $4, claimed_by = NULL,
                updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS o(id, claimed_by, claimed_at)
          WHERE cm.id = o.id AND cm.status = 'sending' AND cm.wamid IS NULL
            AND cm.claimed_by = o.claimed_by AND cm.claimed_at = o.claimed_at`,
        [
          claims.map((c) => c.id),
          claims.map((c) => c.claimedBy),
          claims.map((c) => c.claimedAt),
          at,
        ],
      );
    }
  }

  /** Claims of dead workers on messages a status webhook already settled: released, if still the ones seen. */
  async releaseClaims(tx: Sql, claims: readonly ObservedClaim[]): Promise<void> {
    if (claims.length > 0) {
      await tx.query(
        `UPDATE campaign_messages cm SET claimed_by = NULL, claimed_at = NULL, updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS o(id, claimed_by, claimed_at)
          WHERE cm.id = o.id AND cm.status NOT IN ('sending', 'in_doubt')
            AND cm.claimed_by IS NOT DISTINCT FROM o.claimed_by AND cm.claimed_at = o.claimed_at`,
        [claims.map((c) => c.id), claims.map((c) => c.claimedBy), claims.map((c) => c.claimedAt)],
      );
    }
  }

  /**
   * Unsettled messages without proof after the resend deadline go back to the queue — or, after
   * `maxAttempts` requests without an answer, fail on our side (Meta's status, if one ever comes,
   * still wins: see the delivery ledger). Only rows still unsettled and without a wamid move.
   */
  async requeueUnproven(
    tx: Sql,
    seen: readonly ObservedInDoubt[],
    maxAttempts: number,
    now: Date,
  ): Promise<{ requeued: number; failed: number }> {
    if (seen.length === 0) {
      return { requeued: 0, failed: 0 };
    }
    // Only the request in doubt that was judged: if another reconciler requeued the row meanwhile
    // (and a worker claimed it, or sent it again), its status or request time has moved on.
    const rows = await queryRows<{ status: string }>(
      tx,
      `UPDATE campaign_messages cm SET
         status = CASE WHEN cm.attempts >= $3 THEN 'failed' ELSE 'pending' END,
         failed_at = CASE WHEN cm.attempts >= $3 THEN $4::timestamptz END,
         error_code = CASE WHEN cm.attempts >= $3 THEN -1 ELSE cm.error_code END,
         error_title = CASE WHEN cm.attempts >= $3 THEN 'No answer from Meta and no status webhook for any request'
                            ELSE cm.error_title END,
         claimed_at = NULL, claimed_by = NULL, next_attempt_at = NULL, updated_at = now()
        FROM unnest($1::bigint[], $2::timestamptz[]) AS o(id, last_request_at)
       WHERE cm.id = o.id AND cm.status = 'in_doubt' AND cm.wamid IS NULL
         AND cm.last_request_at = o.last_request_at
       RETURNING cm.status`,
      [seen.map((m) => m.id), seen.map((m) => m.lastRequestAt), maxAttempts, now],
    );
    const failed = rows.filter((r) => r.status === 'failed').length;
    return { requeued: rows.length - failed, failed };
  }

  /**
   * A page of a campaign's messages in id order, optionally of one status, and failed ones of one
   * error code (0: failed without a code, as the report counts them; campaign_messages_failed_idx).
   */
  async messages(
    ws: WorkspaceId,
    campaignId: string,
    limit: number,
    afterId: string | null,
    filter: MessageFilter = {},
  ): Promise<{ data: CampaignMessageRecord[]; nextCursor: string | null }> {
    const rows = await queryRows<MessageRow>(
      this.db,
      `SELECT cm.*, coalesce(cm.variant, c.winner_key) AS variant_sent,
              (SELECT jsonb_agg(jsonb_build_object('linkIndex', l.link_index, 'clicks', l.clicks,
                                                   'firstClickAt', l.first_click_at,
                                                   'lastClickAt', l.last_click_at) ORDER BY l.link_index)
                 FROM link_clicks l WHERE l.campaign_message_id = cm.id) AS link_clicks
         FROM campaign_messages cm JOIN campaigns c ON c.id = cm.campaign_id
        WHERE c.workspace_id = $1 AND cm.campaign_id = $2 AND ($3::bigint IS NULL OR cm.id > $3)
          AND ($5::text IS NULL OR cm.status = $5)
          AND ($6::int IS NULL OR (cm.status = 'failed' AND coalesce(cm.error_code, 0) = $6))
        ORDER BY cm.id LIMIT $4`,
      [ws, campaignId, afterId, limit + 1, filter.status ?? null, filter.errorCode ?? null],
    );
    const data = rows.slice(0, limit).map(toMessage);
    return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
  }

  /** Failed messages of a campaign per error code (0: none recorded). */
  async failedByCode(tx: Sql, campaignId: string): Promise<Map<number, number>> {
    const rows = await queryRows<{ code: number; n: string }>(
      tx,
      `SELECT coalesce(error_code, 0) AS code, count(*) AS n FROM campaign_messages
        WHERE campaign_id = $1 AND status = 'failed' GROUP BY 1`,
      [campaignId],
    );
    return new Map(rows.map((r) => [r.code, Number(r.n)]));
  }

  /**
   * Sends failed messages again: those with a code in `now` at once, those with a code in
   * `afterOnce` once (never retried before), `afterMs` after they failed. Never a message that
   * reached its recipient (delivered or read before failing) or whose contact is no longer opted
   * in. The row forgets the failed request (wamid, error, times) and counts the retry; its bound
   * values, frozen at the snapshot, make the new request render exactly as the first.
   */
  async requeueFailed(
    tx: Sql,
    campaignId: string,
    codes: { now: readonly number[]; afterOnce: readonly number[]; afterMs: number },
    now: Date,
  ): Promise<Array<{ code: number; nextAttemptAt: Date | null }>> {
    const rows = await queryRows<{ code: number; next_attempt_at: Date | null }>(
      tx,
      `WITH due AS (
         SELECT cm.id, coalesce(cm.error_code, 0) AS code,
                CASE WHEN coalesce(cm.error_code, 0) = ANY($3::int[])
                     THEN greatest($5::timestamptz, cm.failed_at + $4 * interval '1 millisecond') END AS next_at
           FROM campaign_messages cm JOIN contacts c ON c.id = cm.contact_id
          WHERE cm.campaign_id = $1 AND cm.status = 'failed'
            AND cm.delivered_at IS NULL AND cm.read_at IS NULL AND c.consent_status = 'opted_in'
            AND (coalesce(cm.error_code, 0) = ANY($2::int[])
                 OR (coalesce(cm.error_code, 0) = ANY($3::int[]) AND cm.retries = 0))
          ORDER BY cm.id FOR UPDATE OF cm
       )
       UPDATE campaign_messages cm SET
         status = 'pending', next_attempt_at = d.next_at, retries = cm.retries + 1, retried_at = $5,
         wamid = NULL, error_code = NULL, error_title = NULL, error_details = NULL,
         sent_at = NULL, failed_at = NULL, pricing_category = NULL, billable = NULL,
         pair_rate_failures = 0, claimed_at = NULL, claimed_by = NULL, updated_at = now()
         FROM due d
        WHERE cm.id = d.id
       RETURNING d.code, d.next_at AS next_attempt_at`,
      [campaignId, codes.now, codes.afterOnce, codes.afterMs, now],
    );
    return rows.map((r) => ({ code: r.code, nextAttemptAt: r.next_attempt_at }));
  }

  /** Messages never sent of a cancelled campaign become cancelled. */
  async cancelPending(id: string): Promise<number> {
    return this.db.tx(
      async (tx) => {
        // Counted in the database: a cancel of a million pending messages returns one row.
        const [row] = await queryRows<{ n: number }>(
          tx,
          `WITH c AS (
             UPDATE campaign_messages SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
              WHERE campaign_id = $1 AND status = 'pending' RETURNING 1)
           SELECT count(*)::int AS n FROM c`,
          [id],
        );
        return row?.n ?? 0;
      },
      { retries: 3 },
    );
  }

  /**
   * The plan's one pass over the target: the snapshot's rule (judgeSql, with the frequency cap as
   * it stands now), grouped by reason and, for the eligible, by the longest matching rate-card
   * calling code.
   */
  async planTarget(
    s: SnapshotSpec,
    cap: CapWindow | null,
  ): Promise<Array<{ reason: string | null; callingCode: string | null; n: number }>> {
    const p = new SqlParams([s.workspaceId]);
    const where = compileFilter(s.filter, p, { now: s.referenceAt });
    const paths = p.add(JSON.stringify(s.boundPaths), 'jsonb');
    const rows = await queryRows<{ reason: string | null; calling_code: string | null; n: string }>(
      this.db,
      `WITH judged AS (
         SELECT c.phone, ${judgeSql(p, paths, s, cap)} AS reason
           FROM contacts c WHERE c.workspace_id = $1 AND ${where}
       )
       SELECT j.reason, rc.calling_code, count(*) AS n
         FROM judged j
         LEFT JOIN LATERAL (SELECT calling_code FROM rate_cards
                             WHERE (workspace_id IS NULL OR workspace_id = $1) AND category = 'marketing'
                               AND j.phone LIKE '+' || calling_code || '%'
                            ORDER BY length(calling_code) DESC LIMIT 1) rc ON j.reason IS NULL
        GROUP BY j.reason, rc.calling_code`,
      p.values,
    );
    return rows.map((r) => ({ reason: r.reason, callingCode: r.calling_code, n: Number(r.n) }));
  }

  /** What a test send renders with, when the phone is one of the workspace's contacts. */
  async contactForRender(
    ws: WorkspaceId,
    phone: string,
  ): Promise<{
    attributes: Record<string, unknown>;
    locale: string | null;
    timezone: string | null;
  } | null> {
    const rows = await queryRows<{
      attributes: Record<string, unknown>;
      locale: string | null;
      timezone: string | null;
    }>(
      this.db,
      `SELECT attributes, locale, timezone FROM contacts WHERE workspace_id = $1 AND phone = $2`,
      [ws, phone],
    );
    return rows[0] ?? null;
  }

  /** Up to `limit` campaigns of the workspace that use the template and are not finished. */
  async unfinishedOfTemplate(ws: WorkspaceId, templateId: string, limit = 10): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM campaigns
        WHERE workspace_id = $1 AND status IN ('draft', 'scheduled', 'running', 'paused')
          AND (template_id = $2
               OR EXISTS (SELECT 1 FROM campaign_variants v WHERE v.campaign_id = campaigns.id AND v.template_id = $2))
        ORDER BY created_at, id LIMIT $3`,
      [ws, templateId, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Campaigns of a template that are still live, for pausing when the template stops. */
  async liveCampaignsOfTemplates(tx: Sql, templateIds: string[]): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM campaigns c WHERE c.status IN ('scheduled', 'running', 'paused')
          AND (c.template_id = ANY($1::uuid[])
               OR EXISTS (SELECT 1 FROM campaign_variants v WHERE v.campaign_id = c.id AND v.template_id = ANY($1::uuid[])))`,
      [templateIds],
    );
    return rows.map((r) => r.id);
  }
}
