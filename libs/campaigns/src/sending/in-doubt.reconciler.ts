import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, toWaId, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database, type Tx } from '@app/db';
import { CampaignsRepository, type UnsettledMessage } from '../campaigns.repository';
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
 * other message can own — then, with no proof after SEND_RESEND_AFTER_MS, the message is queued
 * to send again (or, after as many requests as a transient failure gets, failed on our side;
 * Meta's status still wins if it ever comes).
 */
@Injectable()
export class InDoubtReconciler {
  private readonly logger = new Logger(InDoubtReconciler.name);

  constructor(
    private readonly db: Database,
    private readonly campaigns: CampaignsRepository,
    private readonly ledger: DeliveryRepository,
    private readonly lease: WorkerLease,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(): Promise<Reconciled> {
    const now = this.clock.now();
    const candidates = await this.campaigns.unsettled(
      new Date(now.getTime() - this.config.campaigns.inDoubtAfterMs),
    );
    const alive = await this.lease.alive(
      candidates.flatMap((c) => (c.claimedBy ? [c.claimedBy] : [])),
    );
    // A live worker's claims are its own; in-doubt requests have no owner any more.
    const mine = candidates.filter((c) => c.claimedBy === null || !alive.has(c.claimedBy));
    if (mine.length === 0) {
      return { settled: 0, requeued: 0, failed: 0 };
    }
    const out = await this.db.tx((tx) => this.settle(tx, mine, now), { retries: 3 });
    if (out.settled || out.requeued || out.failed) {
      this.logger.warn({ message: 'unsettled sends reconciled', ...out });
    }
    return out;
  }

  private async settle(tx: Tx, all: readonly UnsettledMessage[], now: Date): Promise<Reconciled> {
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
    // Lock order of every writer: wamids, then the campaigns' counters, then message rows.
    await this.ledger.lockWamids(tx, wamids);
    await this.campaigns.lockCounters(
      tx,
      all.map((m) => m.campaignId),
    );
    await this.ledger.link(tx, byRecipient);
    const settled = await this.ledger.project(tx, wamids);
    await this.campaigns.releaseClaims(tx, [...done.map((m) => m.id), ...proven]);
    const deadline = now.getTime() - this.config.campaigns.resendAfterMs;
    const unproven = open.filter(
      (m) => !proven.has(m.id) && (m.lastRequestAt ?? m.claimedAt).getTime() < deadline,
    );
    const { requeued, failed } = await this.campaigns.requeueUnproven(
      tx,
      unproven.map((m) => m.id),
      DEFAULT_RETRY_POLICY.maxTransientAttempts,
      now,
    );
    return { settled, requeued, failed };
  }
}
