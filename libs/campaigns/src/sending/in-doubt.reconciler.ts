import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, toWaId, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database, type Tx } from '@app/db';
import {
  CampaignsRepository,
  NO_UNSETTLED_CURSOR,
  type UnsettledCursor,
  type UnsettledMessage,
} from '../campaigns.repository';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { callbackDataOf } from '../delivery/domain/delivery-status';
import { DEFAULT_RETRY_POLICY } from '../domain/send-outcome';
import { WorkerLease } from './worker-lease';

export interface Reconciled {
  settled: number;
  requeued: number;
  failed: number;
}

/**
 * Settles messages whose send may have reached Meta without us knowing, and only those: requests
 * in doubt (their answer was lost), and claims of workers whose lease has expired (they died with
 * requests in flight). A live worker's claims are its own. Proof first — the status webhook that
 * names our message id in its callback data, else one of the same number and recipient that no
 * other message can own — then, with no proof after SEND_RESEND_AFTER_MS, once the status
 * journal and Meta's status stream have both caught up with it (see `resendable`), the message is
 * queued to send again (or, after as many requests as a transient failure gets, failed on our
 * side; Meta's status still wins if it ever comes). Every worker reconciles, each from its own read
 * of the rows: a write applies only while the row still shows what was judged (the same claim,
 * the same request in doubt), so a stale judgement never requeues a row another worker has
 * requeued and claimed since.
 */
/** In doubt always has a request time (a CHECK); the claim's is the fallback for the type. */
const requestedAtMs = (m: UnsettledMessage): number => (m.lastRequestAt ?? m.claimedAt).getTime();

@Injectable()
export class InDoubtReconciler {
  private readonly logger = new Logger(InDoubtReconciler.name);
  /** Unsettled messages read per kind and tick. */
  pageSize = 500;
  /**
   * Where the last tick's read ended. Each tick reads on from there: read from the oldest every
   * time, 500 older messages in doubt that cannot be resent yet (a paused campaign waits five
   * deadlines) kept every newer one — another campaign's, whose proof or deadline had come — from
   * being looked at until they went.
   */
  private cursor: UnsettledCursor = NO_UNSETTLED_CURSOR;

  constructor(
    private readonly db: Database,
    private readonly campaigns: CampaignsRepository,
    private readonly ledger: DeliveryRepository,
    private readonly lease: WorkerLease,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `journalLag`: how far the status journal is behind (the age of its oldest event not applied
   * yet). The resend deadline is pushed back by as much: under load, the status that proves a
   * send may have arrived and still be waiting to be applied.
   */
  async run(journalLag: () => Promise<number> = () => Promise.resolve(0)): Promise<Reconciled> {
    const now = this.clock.now();
    const page = await this.campaigns.unsettledPage(
      new Date(now.getTime() - this.config.campaigns.inDoubtAfterMs),
      this.pageSize,
      this.cursor,
    );
    const candidates = page.messages;
    const alive = await this.lease.alive(
      candidates.flatMap((c) => (c.claimedBy ? [c.claimedBy] : [])),
    );
    // A live worker's claims are its own; in-doubt requests have no owner any more.
    const mine = candidates.filter((c) => c.claimedBy === null || !alive.has(c.claimedBy));
    if (mine.length === 0) {
      this.cursor = page.next;
      return { settled: 0, requeued: 0, failed: 0 };
    }
    // Asked only when something is unsettled: no journal query on an idle tick.
    const journalLagMs = await journalLag();
    const out = await this.db.tx((tx) => this.settle(tx, mine, now, journalLagMs), { retries: 3 });
    // Only once the page is judged: a failed tick reads the same page again.
    this.cursor = page.next;
    if (out.settled || out.requeued || out.failed) {
      this.logger.warn({ message: 'unsettled sends reconciled', ...out });
    }
    return out;
  }

  private async settle(
    tx: Tx,
    all: readonly UnsettledMessage[],
    now: Date,
    journalLagMs: number,
  ): Promise<Reconciled> {
    // Claims on messages a status webhook has settled meanwhile only need releasing.
    const done = all.filter((m) => m.status !== 'sending' && m.status !== 'in_doubt');
    const open = all.filter((m) => m.status === 'sending' || m.status === 'in_doubt');
    const byCallback = await this.ledger.byCallbacks(
      tx,
      open.map((m) => ({ id: m.id, callback: callbackDataOf(m.id, m.retries) })),
    );
    const proven = new Set(byCallback.map((p) => p.id));
    const byRecipient = await this.ledger.byRecipient(
      tx,
      open
        .filter((m) => !proven.has(m.id))
        .map((m) => ({
          id: m.id,
          phoneNumberId: m.phoneNumberId,
          recipient: toWaId(m.phone),
          since: m.claimedAt,
        })),
    );
    for (const p of byRecipient) {
      proven.add(p.id);
    }
    const wamids = [...byCallback, ...byRecipient].map((p) => p.wamid);
    // Lock order of every writer: wamids, then message rows.
    await this.ledger.lockWamids(tx, wamids);
    await this.ledger.link(tx, byRecipient);
    const settled = await this.ledger.project(tx, wamids);
    await this.campaigns.releaseClaims(tx, [...done, ...open.filter((m) => proven.has(m.id))]);
    // A dead worker's claim may have left at any time before it died: in doubt from now on.
    const deadClaims = open.filter((m) => m.status === 'sending' && !proven.has(m.id));
    await this.campaigns.markDeadClaimsInDoubt(tx, deadClaims, now);
    const unproven = await this.resendable(
      tx,
      open.filter((m) => m.status === 'in_doubt' && !proven.has(m.id)),
      now,
      journalLagMs,
    );
    const { requeued, failed } = await this.campaigns.requeueUnproven(
      tx,
      unproven.map((m) => ({ id: m.id, lastRequestAt: new Date(requestedAtMs(m)) })),
      DEFAULT_RETRY_POLICY.maxTransientAttempts,
      now,
    );
    return { settled, requeued, failed };
  }

  /**
   * Which unproven messages may be sent again. Past SEND_RESEND_AFTER_MS (plus the journal's lag),
   * and only once Meta's status stream has caught up with them: a status has come for a request
   * of the same campaign that left SEND_IN_DOUBT_AFTER_MS or more after this one. Meta's webhooks
   * can run minutes behind; while they do, a missing status proves nothing. Without later traffic
   * to judge by (the campaign's last sends), after five times the deadline.
   */
  private async resendable(
    tx: Tx,
    unproven: readonly UnsettledMessage[],
    now: Date,
    journalLagMs: number,
  ): Promise<UnsettledMessage[]> {
    const { resendAfterMs, inDoubtAfterMs } = this.config.campaigns;
    const requestedAt = requestedAtMs;
    const due = unproven.filter(
      (m) => requestedAt(m) < now.getTime() - resendAfterMs - journalLagMs,
    );
    if (due.length === 0) {
      return [];
    }
    const horizon = await this.ledger.latestProvenRequests(
      tx,
      due.map((m) => m.campaignId),
      new Date(Math.min(...due.map(requestedAt))),
    );
    const giveUpBefore = now.getTime() - 5 * resendAfterMs - journalLagMs;
    return due.filter(
      (m) =>
        requestedAt(m) < giveUpBefore ||
        (horizon.get(m.campaignId)?.getTime() ?? -Infinity) >= requestedAt(m) + inDoubtAfterMs,
    );
  }
}
