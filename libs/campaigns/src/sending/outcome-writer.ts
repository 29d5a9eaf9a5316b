import { Logger } from '@nestjs/common';
import { toWaId, type Clock, type WorkspaceId } from '@app/common';
import type { ConsentsService } from '@app/consents';
import type { Database } from '@app/db';
import type { ThroughputGovernor } from '@app/governor';
import type { CampaignsRepository, ClaimedMessage, MessageOutcome } from '../campaigns.repository';
import type { CampaignStateService } from '../campaign-state.service';
import type { DeliveryRepository } from '../delivery/delivery.repository';
import { expiresAtOf } from '../domain/message-ttl';
import { outcomeOf, type SendEffect, type SendResult } from '../domain/send-outcome';

/** Outcomes are written at least this often, and at once when this many wait. */
const FLUSH_EVERY_MS = 100;
const FLUSH_AT = 256;
const RETRY_FLUSH_MS = 1000;
/** A shutdown waits this many flushes (about as many seconds with the database gone) at most. */
const MAX_CLOSE_FLUSHES = 30;

export interface WriterDeps {
  db: Database;
  campaigns: CampaignsRepository;
  ledger: DeliveryRepository;
  consents: ConsentsService;
  governor: ThroughputGovernor;
  state: CampaignStateService;
  clock: Clock;
}

export interface WriterScope {
  workerId: string;
  campaignId: string;
  workspaceId: WorkspaceId;
  /** Meta's phone-number id and the limit the campaign sends at (for slow-downs, pair blocks). */
  phoneNumberId: string;
  limitMps: number;
}

type Entry =
  | { msg: ClaimedMessage; result: SendResult; ttlSeconds: number | null }
  | { msg: ClaimedMessage; change: MessageOutcome['change'] };

/**
 * A lane's outcomes, written back in small batches while its requests are still being answered:
 * one transaction per flush (per-wamid locks, the message rows, the ledger statuses that arrived
 * before we knew a wamid, 131050 opt-outs, and the effects on the campaign). A failed flush keeps
 * its entries and is tried again; the rows meanwhile stay this worker's claims, which nobody else
 * touches while its lease lives.
 */
export class OutcomeWriter {
  private readonly logger = new Logger(OutcomeWriter.name);
  private buffer: Entry[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** The campaign was stopped by an outcome (template paused, token revoked …). */
  stoppedCampaign = false;

  constructor(
    private readonly deps: WriterDeps,
    private readonly scope: WriterScope,
  ) {}

  /** `ttlSeconds`: the TTL of the template the request was sent with (frozen with it). */
  add(msg: ClaimedMessage, result: SendResult, ttlSeconds: number | null): void {
    this.push({ msg, result, ttlSeconds });
  }

  /** A change decided before any request (skipped at render, US recipient). */
  change(msg: ClaimedMessage, change: MessageOutcome['change']): void {
    this.push({ msg, change });
  }

  /**
   * Writes everything buffered so far; resolves when all flushes are done (or given up on). More
   * may be added after (a lane drains before its last look for messages put back).
   */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    for (let i = 0; i < MAX_CLOSE_FLUSHES; i++) {
      await this.chain;
      if (this.buffer.length === 0) {
        return;
      }
      this.chain = this.chain.then(() => this.flush());
    }
    this.logger.error({
      message: 'send outcomes left unwritten; their claims are settled once this lease expires',
      campaignId: this.scope.campaignId,
      outcomes: this.buffer.length,
    });
  }

  private push(e: Entry): void {
    this.buffer.push(e);
    this.flushSoon(this.buffer.length >= FLUSH_AT ? 0 : FLUSH_EVERY_MS);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.chain = this.chain.then(() => this.flush());
    }, ms);
  }

  private async flush(): Promise<void> {
    const entries = this.buffer;
    this.buffer = [];
    if (entries.length === 0) {
      return;
    }
    try {
      await this.write(entries);
    } catch (e) {
      this.logger.error({
        message: 'writing send outcomes failed; trying again',
        campaignId: this.scope.campaignId,
        outcomes: entries.length,
        error: e instanceof Error ? e.message : String(e),
      });
      this.buffer = [...entries, ...this.buffer];
      await new Promise((r) => setTimeout(r, RETRY_FLUSH_MS));
      this.flushSoon(0);
    }
  }

  private async write(entries: readonly Entry[]): Promise<void> {
    const { db, campaigns, ledger, consents, governor, state, clock } = this.deps;
    const s = this.scope;
    const now = clock.now();
    const outcomes: MessageOutcome[] = [];
    const effects: Array<{ msg: ClaimedMessage; effect: SendEffect }> = [];
    for (const e of entries) {
      if ('change' in e) {
        outcomes.push({ id: e.msg.id, change: e.change, requestAt: null, expiresAt: null });
        continue;
      }
      const o = outcomeOf(e.result, e.msg, now);
      const requestAt =
        e.result.kind === 'accepted' || e.result.kind === 'refused' || e.result.kind === 'in-doubt'
          ? e.result.at
          : null;
      const next =
        o.change.nextAttemptAt === 'pair-rate'
          ? new Date(
              (await governor.onPairRateLimited(s.phoneNumberId, toWaId(e.msg.phone))).retryAtMs,
            )
          : o.change.nextAttemptAt;
      // Meta drops it if not delivered within the template's TTL from acceptance.
      const accepted = o.change.status === 'sent' || o.change.status === 'in_doubt';
      const expiresAt =
        accepted && requestAt ? expiresAtOf(o.change.sentAt ?? requestAt, e.ttlSeconds) : null;
      outcomes.push({
        id: e.msg.id,
        change: { ...o.change, nextAttemptAt: next },
        requestAt,
        expiresAt,
      });
      effects.push(...o.effects.map((effect) => ({ msg: e.msg, effect })));
    }
    if (effects.some((x) => x.effect.kind === 'slow-down')) {
      await governor.onThrottled(s.phoneNumberId, s.limitMps);
    }
    const optOuts = effects.filter((x) => x.effect.kind === 'opt-out').map((x) => x.msg.phone);
    const wamids = outcomes.flatMap((o) => (o.change.wamid ? [o.change.wamid] : []));
    const moves = effects.flatMap(({ effect }) => campaignMoveOf(effect));
    await db.tx(
      async (tx) => {
        await ledger.lockWamids(tx, wamids);
        await campaigns.writeOutcomes(tx, s.workerId, outcomes);
        // Statuses that arrived before we knew these wamids (the webhook can beat our write).
        await ledger.project(tx, wamids);
        if (optOuts.length > 0) {
          await consents.recordMany(
            s.workspaceId,
            [...new Set(optOuts)].map((phone) => ({
              phone,
              status: 'opted_out' as const,
              source: 'whatsapp_131050',
              proof: 'send refused with 131050',
              recordedBy: { kind: 'webhook' as const, id: null },
            })),
            tx,
          );
        }
        // In the same transaction: a message this flush puts back is never pending while the
        // campaign still runs (a claim reads the status in the statement that picks), so no
        // other lane can send it between the two.
        for (const m of moves) {
          await state.move(s.campaignId, m.action, m.reason, tx, m.until);
        }
      },
      { retries: 3 },
    );
    if (moves.length > 0) {
      this.stoppedCampaign = true;
    }
  }
}

/** The campaign's move an outcome's effect asks for (pause, fail, or a pause held until a time). */
function campaignMoveOf(
  effect: SendEffect,
): Array<{ action: 'pause' | 'fail'; reason: string; until: Date | null }> {
  switch (effect.kind) {
    case 'pause-campaign':
      return [{ action: 'pause', reason: effect.reason, until: null }];
    case 'fail-campaign':
      return [{ action: 'fail', reason: effect.reason, until: null }];
    case 'hold-campaign':
      return [{ action: 'pause', reason: effect.reason, until: effect.until }];
    default:
      return [];
  }
}
