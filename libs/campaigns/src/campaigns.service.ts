import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { CLOCK, isUuid, type Clock, type Page, type WorkspaceId } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { AudiencesService } from '@app/audiences';
import {
  stopsCampaigns,
  TemplatesService,
  validateBindings,
  type StoppedTemplate,
} from '@app/templates';
import type { EntityManager } from 'typeorm';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignStateService } from './campaign-state.service';
import {
  CampaignInvalidError,
  CampaignNotFoundError,
  IllegalTransitionError,
  SendTimeInPastError,
  TemplateNotApprovedError,
  TemplateNotMarketingError,
} from './campaigns.errors';
import {
  CAMPAIGNS_QUEUE,
  LANE_JOB,
  laneJobId,
  START_JOB,
  startJobId,
  TARGET_JOB,
  targetJobId,
  type LaneData,
  type StartData,
  type TargetData,
} from './campaigns.queue';
import { nextStatus, resumeTarget, type CampaignAction } from './domain/campaign-status';
import { validateSendWindow } from './domain/send-window';
import type { CampaignCreate, CampaignMessageRecord, CampaignRecord } from './campaigns.types';
import { APP_CONFIG, type AppConfig } from '@app/config';

const JOB_DEFAULTS = { removeOnComplete: true, removeOnFail: 1000 } as const;

/** Campaign use cases: create, launch (now or at scheduledAt), pause, resume, cancel, read. */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly state: CampaignStateService,
    private readonly templates: TemplatesService,
    private readonly audiences: AudiencesService,
    private readonly accounts: BusinessAccountsService,
    @InjectQueue(CAMPAIGNS_QUEUE) private readonly queue: Queue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(ws: WorkspaceId, input: CampaignCreate): Promise<CampaignRecord> {
    const template = await this.templates.get(ws, input.templateId);
    await this.audiences.get(ws, input.audienceId);
    const phone = await this.accounts.getPhoneNumber(ws, input.phoneNumberId);
    const problems: Array<{ field: string; message: string }> = [];
    if (template.category !== 'MARKETING') {
      throw new TemplateNotMarketingError(template.category);
    }
    if (phone.businessAccountId !== template.businessAccountId) {
      problems.push({
        field: 'phoneNumberId',
        message: "the phone number belongs to another business account than the template's",
      });
    }
    problems.push(...validateBindings(template, input.parameters));
    if (input.sendWindow) {
      problems.push(
        ...validateSendWindow(input.sendWindow).map((message) => ({
          field: 'sendWindow',
          message,
        })),
      );
    }
    if (input.throughputMps && input.throughputMps > phone.throughputMps) {
      problems.push({
        field: 'throughputMps',
        message: `the number allows ${phone.throughputMps} messages/s; ask for that or less`,
      });
    }
    if (input.scheduledAt && input.scheduledAt.getTime() <= this.clock.now().getTime()) {
      throw new SendTimeInPastError(input.scheduledAt);
    }
    if (problems.length) {
      throw new CampaignInvalidError(problems);
    }
    return this.campaigns.insert(ws, input);
  }

  async get(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const found = isUuid(id) ? await this.campaigns.find(ws, id) : null;
    if (!found) {
      throw new CampaignNotFoundError(id);
    }
    return found;
  }

  list(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
    status?: string,
  ): Promise<Page<CampaignRecord>> {
    return this.campaigns.list(ws, limit, cursor, status);
  }

  async messages(
    ws: WorkspaceId,
    id: string,
    limit: number,
    cursor?: string,
    status?: string,
  ): Promise<Page<CampaignMessageRecord>> {
    await this.get(ws, id);
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) {
      throw new CampaignInvalidError([{ field: 'cursor', message: 'cursor is not valid' }]);
    }
    return this.campaigns.messages(ws, id, limit, cursor ?? null, status);
  }

  /** Now, or at `scheduledAt` when that is still ahead. The template must be APPROVED. */
  async launch(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(ws, id);
    if (campaign.status !== 'draft') {
      throw new IllegalTransitionError(campaign.status, 'launch');
    }
    const template = await this.templates.get(ws, campaign.templateId);
    if (template.status !== 'APPROVED') {
      throw new TemplateNotApprovedError(template.status);
    }
    const now = this.clock.now();
    if (campaign.scheduledAt && campaign.scheduledAt.getTime() > now.getTime()) {
      const scheduled = await this.move(campaign, 'schedule', 'scheduled');
      await this.enqueueStart(id, campaign.scheduledAt);
      return scheduled;
    }
    return this.start(campaign, 'start');
  }

  async pause(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(ws, id);
    const paused = await this.move(campaign, 'pause', 'paused', 'paused_by_user');
    this.state.forget(id);
    return paused;
  }

  async resume(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(ws, id);
    if (campaign.status !== 'paused') {
      throw new IllegalTransitionError(campaign.status, 'resume');
    }
    const template = await this.templates.get(ws, campaign.templateId);
    if (template.status !== 'APPROVED') {
      throw new TemplateNotApprovedError(template.status);
    }
    const target = resumeTarget(campaign.scheduledAt, this.clock.now());
    if (target === 'scheduled') {
      const r = await this.campaigns.transition(id, 'resume', 'scheduled', null);
      if (!r) {
        throw new IllegalTransitionError(campaign.status, 'resume');
      }
      await this.enqueueStart(id, campaign.scheduledAt as Date);
      return r;
    }
    return this.start(campaign, 'resume');
  }

  async cancel(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(ws, id);
    await this.move(campaign, 'cancel', 'cancelled', 'cancelled_by_user');
    this.state.forget(id);
    await this.campaigns.cancelPending(id);
    return this.get(ws, id);
  }

  /**
   * Starts a campaign (from launch, resume or the scheduler): atomic in SQL, so of two callers
   * only one wins; then snapshots the audience (once) and starts the send lanes.
   */
  async start(
    campaign: CampaignRecord,
    action: CampaignAction,
    onlyFrom?: CampaignRecord['status'][],
  ): Promise<CampaignRecord> {
    const started = await this.campaigns.transition(
      campaign.id,
      action,
      'running',
      null,
      onlyFrom ? { onlyFrom } : {},
    );
    if (!started) {
      throw new IllegalTransitionError(campaign.status, action);
    }
    this.state.forget(campaign.id);
    this.logger.log({
      message: 'campaign running',
      campaignId: campaign.id,
      workspaceId: campaign.workspaceId,
    });
    await this.kick(started);
    return started;
  }

  /** Enqueues what a running campaign needs next: its snapshot, or its send lanes. Idempotent. */
  async kick(campaign: Pick<CampaignRecord, 'id' | 'targetedAt'>): Promise<void> {
    if (!campaign.targetedAt) {
      await this.queue.add(TARGET_JOB, { v: 1, campaignId: campaign.id } satisfies TargetData, {
        jobId: targetJobId(campaign.id),
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        ...JOB_DEFAULTS,
      });
      return;
    }
    await this.enqueueLanes(campaign.id, 0);
  }

  async enqueueLanes(campaignId: string, delayMs: number, lanes?: number[]): Promise<void> {
    const which = lanes ?? Array.from({ length: this.config.campaigns.lanes }, (_, i) => i);
    await Promise.all(
      which.map((lane) =>
        this.queue.add(LANE_JOB, { v: 1, campaignId, lane } satisfies LaneData, {
          jobId: laneJobId(campaignId, lane),
          delay: Math.max(0, Math.round(delayMs)),
          attempts: 1000,
          backoff: { type: 'fixed', delay: 1000 },
          ...JOB_DEFAULTS,
        }),
      ),
    );
  }

  private async enqueueStart(id: string, at: Date): Promise<void> {
    await this.queue.add(START_JOB, { v: 1, campaignId: id } satisfies StartData, {
      jobId: startJobId(id, at),
      delay: Math.max(0, at.getTime() - this.clock.now().getTime()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      ...JOB_DEFAULTS,
    });
  }

  private async move(
    campaign: CampaignRecord,
    action: CampaignAction,
    to: CampaignRecord['status'],
    reason: string | null = null,
  ): Promise<CampaignRecord> {
    if (!nextStatus(campaign.status, action)) {
      throw new IllegalTransitionError(campaign.status, action);
    }
    const moved = await this.campaigns.transition(campaign.id, action, to, reason);
    if (!moved) {
      const now = await this.campaigns.findById(campaign.id);
      throw new IllegalTransitionError(now?.status ?? campaign.status, action);
    }
    return moved;
  }

  /**
   * A template became PAUSED, DISABLED, REJECTED…: every live campaign using it stops with the
   * reason (paused while it may come back, failed when it cannot), in the caller's transaction.
   */
  async stopForTemplates(em: EntityManager, stopped: readonly StoppedTemplate[]): Promise<number> {
    let n = 0;
    for (const t of stopped) {
      if (!stopsCampaigns(t.status)) {
        continue;
      }
      const permanent =
        t.status === 'DISABLED' || t.status === 'DELETED' || t.status === 'PENDING_DELETION';
      const reason = `template_${t.status.toLowerCase()}`;
      for (const id of await this.campaigns.liveCampaignsOfTemplates(em, [t.templateId])) {
        const moved = permanent
          ? await this.campaigns.transition(id, 'fail', 'failed', reason, {}, em)
          : await this.campaigns.transition(id, 'pause', 'paused', reason, {}, em);
        if (moved) {
          n++;
          this.state.forget(id);
          this.logger.warn({
            message: 'campaign stopped by template status',
            campaignId: id,
            reason,
          });
        }
      }
    }
    return n;
  }
}
