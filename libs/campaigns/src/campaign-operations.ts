import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { queryRows } from '@app/db';
import { boundFields } from '@app/templates';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CampaignSender, type LaneOutcome } from './campaign-sender';
import { isScheduleMissed } from './domain/plan';
import { KnownStatuses, reportOf, type DeliveryReport, type StatusRow } from './known-statuses';
import { WorkerLease } from './worker-lease';

const SNAPSHOT_CHUNK = 20_000;

/**
 * What the worker does for campaigns: snapshot audiences, run send lanes, start due schedules,
 * keep running campaigns' lanes alive, and settle messages whose send outcome is in doubt.
 * Every method is safe to run on many workers at once (atomic SQL claims, unique keys).
 */
@Injectable()
export class CampaignOperations {
  private readonly logger = new Logger(CampaignOperations.name);

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly service: CampaignsService,
    private readonly sender: CampaignSender,
    private readonly known: KnownStatuses,
    private readonly lease: WorkerLease,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Snapshots the audience into one message per contact (resumable: each chunk is idempotent). */
  async target(campaignId: string): Promise<void> {
    const campaign = await this.campaigns.findById(campaignId);
    if (
      !campaign ||
      campaign.targetedAt ||
      campaign.status === 'cancelled' ||
      campaign.status === 'failed'
    ) {
      if (campaign?.targetedAt && campaign.status === 'running') {
        await this.service.kick(campaign);
      }
      return;
    }
    const paths = boundFields(campaign.parameters).map((f) => f.split('.'));
    let after: string | null = null;
    let inserted = 0;
    for (;;) {
      const chunk = await this.campaigns.snapshotChunk(
        campaignId,
        campaign.audienceId,
        paths,
        after,
        SNAPSHOT_CHUNK,
      );
      inserted += chunk.inserted;
      if (!chunk.lastContactId) {
        break;
      }
      after = chunk.lastContactId;
    }
    // Before the lanes start: their claims need a plan that knows this campaign's size.
    await this.campaigns.refreshStatsAfterSnapshot(inserted);
    await this.campaigns.markTargeted(campaignId);
    this.logger.log({ message: 'campaign targeted', campaignId });
    const now = await this.campaigns.findById(campaignId);
    if (now?.status === 'running') {
      await this.service.kick(now);
    } else if (now && (await this.campaigns.completeIfDone(campaignId))) {
      this.logger.log({ message: 'campaign completed', campaignId });
    }
  }

  runLane(campaignId: string): Promise<LaneOutcome> {
    return this.sender.runLane(campaignId);
  }

  /** Shutdown: lanes finish the batch in hand and claim no more. */
  stopSending(): void {
    this.sender.stop();
  }

  /** Starts scheduled campaigns whose time has come; a schedule missed beyond the grace follows the late policy. */
  async startDue(): Promise<number> {
    let started = 0;
    for (const due of await this.campaigns.dueScheduled()) {
      const missed = isScheduleMissed(
        due.scheduledAt,
        this.clock.now(),
        this.config.campaigns.scheduleGraceMs,
      );
      if (missed && due.latePolicy === 'fail') {
        if (
          await this.campaigns.transition(due.id, 'fail', 'failed', 'schedule_missed', {
            onlyFrom: ['scheduled'],
          })
        ) {
          this.logger.warn({ message: 'campaign schedule missed', campaignId: due.id });
        }
        continue;
      }
      const campaign = await this.campaigns.findById(due.id);
      if (!campaign) {
        continue;
      }
      try {
        await this.service.start(campaign, 'start', ['scheduled']);
        started++;
      } catch {
        // Another worker won the claim.
      }
    }
    return started;
  }

  /** Re-enqueues what running campaigns need (after a restart or a lost job); idempotent by job id. */
  async pump(): Promise<void> {
    for (const id of await this.campaigns.runningIds()) {
      const c = await this.campaigns.findById(id);
      if (c) {
        await this.service.kick(c);
      }
    }
  }

  /**
   * Messages left `sending` by a worker that died (its lease expired): first look for proof that Meta accepted them
   * (a status webhook carrying our id, or one for that number and recipient since the claim);
   * only without proof, and only after SEND_RESEND_AFTER_MS, are they queued to send again.
   */
  async reconcileInDoubt(): Promise<{ settled: number; requeued: number }> {
    const now = this.clock.now().getTime();
    const stuck = await this.campaigns.inDoubt(
      new Date(now - this.config.campaigns.inDoubtAfterMs),
    );
    if (stuck.length === 0) {
      return { settled: 0, requeued: 0 };
    }
    let settled = 0;
    let requeued = 0;
    await this.campaigns.db.transaction(async (em) => {
      const proof = await queryRows<StatusRow & { match_id: string }>(
        em,
        `SELECT DISTINCT ON (s.match_id) * FROM (
           SELECT m.id AS match_id, ms.* FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
                  AS m(id, phone_number_id, recipient, claimed_at)
             JOIN message_statuses ms
               ON ms.callback_data = m.id::text
               OR (ms.phone_number_id = m.phone_number_id AND ms.recipient_id = m.recipient
                   AND ms.created_at >= m.claimed_at - interval '5 minutes')
         ) s ORDER BY s.match_id, s.created_at DESC`,
        [
          stuck.map((s) => s.id),
          stuck.map((s) => s.phoneNumberId),
          stuck.map((s) => s.phone.replace(/^\+/, '')),
          stuck.map((s) => s.claimedAt),
        ],
      );
      const reports: DeliveryReport[] = proof.map((r) => ({
        ...reportOf(r),
        callbackData: String(r.match_id),
      }));
      settled = await this.known.applyReports(em, reports);
      const proven = new Set(proof.map((p) => String(p.match_id)));
      const resendBefore = now - this.config.campaigns.resendAfterMs;
      const requeue = stuck
        .filter((s) => !proven.has(s.id) && s.claimedAt.getTime() < resendBefore)
        .map((s) => s.id);
      requeued = await this.campaigns.requeueInDoubt(em, requeue);
    });
    if (settled || requeued) {
      this.logger.warn({ message: 'in-doubt sends settled', settled, requeued });
    }
    return { settled, requeued };
  }
}
