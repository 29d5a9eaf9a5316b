import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { CampaignStateService } from '../campaign-state.service';
import { CampaignsRepository, type SnapshotSpec } from '../campaigns.repository';
import { boundPathsOf, targetSpecOf } from '../campaigns.types';
import { SegmentsService } from '@app/segments';
import { CampaignsService } from '../campaigns.service';
import { isScheduleMissed } from '../domain/plan';

const SNAPSHOT_CHUNK = 20_000;

/**
 * What the worker's tick and jobs do for campaigns besides sending: snapshot a started campaign's
 * target into its messages, start scheduled campaigns whose time has come, and keep running
 * campaigns' lanes going. Safe on any number of workers (atomic moves, unique keys, job ids).
 */
@Injectable()
export class CampaignRunner {
  private readonly logger = new Logger(CampaignRunner.name);

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly service: CampaignsService,
    private readonly state: CampaignStateService,
    private readonly segments: SegmentsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Snapshots the campaign's target into one message per contact (resumable: each chunk is
   * idempotent). The target is frozen first — its filter and the moment it was resolved — so a
   * resumed snapshot, or a segment edited meanwhile, never changes who is in it.
   */
  async target(campaignId: string): Promise<void> {
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign || campaign.status === 'cancelled' || campaign.status === 'failed') {
      return;
    }
    if (!campaign.targetedAt) {
      const frozen =
        campaign.targetFilter && campaign.targetReferenceAt
          ? { filter: campaign.targetFilter, at: campaign.targetReferenceAt }
          : await this.campaigns.freezeTarget(
              campaignId,
              await this.segments.targetOf(campaign.workspaceId, targetSpecOf(campaign)),
              this.clock.now(),
            );
      const spec: SnapshotSpec = {
        campaignId,
        workspaceId: campaign.workspaceId,
        filter: frozen.filter,
        referenceAt: frozen.at,
        boundPaths: boundPathsOf(campaign),
        holdoutPercent: campaign.holdoutPercent,
      };
      let after: string | null = null;
      let inserted = 0;
      for (;;) {
        const chunk = await this.campaigns.snapshotChunk(spec, after, SNAPSHOT_CHUNK);
        inserted += chunk.inserted;
        if (!chunk.lastContactId) {
          break;
        }
        after = chunk.lastContactId;
      }
      // Before the lanes start: their claims need a plan that knows this campaign's size, and
      // an A/B test needs its test share split.
      await this.campaigns.refreshStatsAfterSnapshot(inserted);
      if (campaign.variants.length > 0) {
        const test = await this.campaigns.assignVariants(
          campaignId,
          campaign.variants,
          campaign.abTest?.testPercent ?? 100,
        );
        this.logger.log({ message: 'A/B test share split', campaignId, recipients: test });
      }
      await this.campaigns.markTargeted(campaignId, this.clock.now());
      this.logger.log({ message: 'campaign targeted', campaignId, recipients: inserted });
    }
    const now = await this.campaigns.findById(campaignId);
    if (now?.status === 'running') {
      await this.service.kick(now);
    }
  }

  /** Starts scheduled campaigns whose time has come; a schedule missed beyond the grace follows the late policy. */
  async startDue(): Promise<number> {
    let started = 0;
    // Holds (134101) that are over: the campaign goes on where it stopped.
    for (const id of await this.campaigns.dueHolds(this.clock.now())) {
      if (await this.state.move(id, 'resume')) {
        started++;
      }
    }
    for (const due of await this.campaigns.dueScheduled(this.clock.now())) {
      const missed = isScheduleMissed(
        due.scheduledAt,
        this.clock.now(),
        this.config.campaigns.scheduleGraceMs,
      );
      if (missed && due.latePolicy === 'fail') {
        await this.state.move(due.id, 'fail', 'schedule_missed');
        continue;
      }
      if (await this.service.startScheduled(due.id)) {
        started++;
      }
    }
    return started;
  }

  /** Every running campaign has its snapshot or its lanes enqueued (idempotent by job id). */
  async keepRunning(): Promise<void> {
    for (const id of await this.campaigns.runningIds()) {
      const c = await this.campaigns.findById(id);
      if (c) {
        await this.service.kick(c);
      }
    }
  }
}
