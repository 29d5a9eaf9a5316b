import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { CLOCK, isUuid, type Clock, type Page, type WorkspaceId } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { fenceSettled } from '@app/governor';
import { hashRequest, IdempotencyStore } from '@app/idempotency';
import { AudiencesService } from '@app/audiences';
import { SegmentsService, type CampaignOutcome } from '@app/segments';
import {
  linkProblems,
  stopsCampaigns,
  TemplatesService,
  validateBindings,
  type StoppedTemplate,
  type TemplateRecord,
} from '@app/templates';
import { TrackedLinks } from './links/tracked-links';
import { CheckBindings } from './use-cases/check-bindings';
import { CampaignsRepository, type MessageFilter } from './campaigns.repository';
import { CampaignStateService } from './campaign-state.service';
import {
  CampaignInvalidError,
  CampaignNotFoundError,
  IllegalTransitionError,
  SendTimeInPastError,
  TemplateNotApprovedError,
  TemplateNotMarketingError,
} from './campaigns.errors';
import type { Tx } from '@app/db';
import {
  CAMPAIGNS_QUEUE,
  LANE_JOB,
  laneJobId,
  TARGET_JOB,
  targetJobId,
  type LaneData,
  type TargetData,
} from './campaigns.queue';
import type { CampaignAction } from './domain/campaign-status';
import { validateSendWindow } from './domain/send-window';
import type { CampaignCreate, CampaignMessageRecord, CampaignRecord } from './campaigns.types';
import { APP_CONFIG, type AppConfig } from '@app/config';

const JOB_DEFAULTS = { removeOnComplete: true, removeOnFail: 1000 } as const;

const DATE_FIELDS = [
  'scheduledAt',
  'targetReferenceAt',
  'winnerDecidedAt',
  'targetedAt',
  'startedAt',
  'pausedAt',
  'completedAt',
  'cancelledAt',
  'failedAt',
  'createdAt',
  'updatedAt',
] as const;

/** The URL of each URL button of a template, by button index (for tracked-link checks). */
function buttonUrlsOf(t: TemplateRecord): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of t.components) {
    if (c.type === 'BUTTONS') {
      c.buttons.forEach((b, i) => {
        if (b.type === 'URL' && b.url) {
          out.set(i, b.url);
        }
      });
    }
  }
  return out;
}

/** A campaign stored as JSON (an idempotent answer) with its dates made dates again. */
function reviveDates(c: CampaignRecord): CampaignRecord {
  const out: Record<string, unknown> = { ...c };
  for (const k of DATE_FIELDS) {
    const v = c[k] as Date | string | null;
    out[k] = v === null ? null : new Date(v);
  }
  return out as unknown as CampaignRecord;
}

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
    private readonly segments: SegmentsService,
    private readonly idempotency: IdempotencyStore,
    private readonly links: TrackedLinks,
    private readonly checkBindings: CheckBindings,
    @InjectQueue(CAMPAIGNS_QUEUE) private readonly queue: Queue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(ws: WorkspaceId, given: CampaignCreate): Promise<CampaignRecord> {
    // With variants, the campaign's own template and parameters are those of the first.
    const first = given.variants?.[0];
    const input: CampaignCreate = first
      ? { ...given, templateId: first.templateId, parameters: first.parameters }
      : given;
    const phone = await this.accounts.getPhoneNumber(ws, input.phoneNumberId);
    const problems: Array<{ field: string; message: string }> = [];
    problems.push(...(await this.targetProblems(ws, input)));
    const contents = given.variants
      ? given.variants.map((v, i) => ({ at: `variants[${i}].`, ...v }))
      : [{ at: '', templateId: input.templateId, parameters: input.parameters }];
    for (const c of contents) {
      const template = await this.templates.get(ws, c.templateId);
      if (template.category !== 'MARKETING') {
        throw new TemplateNotMarketingError(template.category);
      }
      if (phone.businessAccountId !== template.businessAccountId) {
        problems.push({
          field: `${c.at}templateId`,
          message: "the phone number belongs to another business account than the template's",
        });
      }
      problems.push(
        ...[
          ...validateBindings(template, c.parameters),
          ...linkProblems(c.parameters, buttonUrlsOf(template), this.links.redirectPrefix),
        ].map((p) => ({ ...p, field: `${c.at}${p.field}` })),
      );
    }
    if (given.variants) {
      const keys = given.variants.map((v) => v.key);
      if (new Set(keys).size !== keys.length) {
        problems.push({ field: 'variants', message: 'variant keys must differ' });
      }
    } else if (given.abTest) {
      problems.push({ field: 'abTest', message: 'an A/B test needs variants' });
    }
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

  /**
   * A follow-up: a new draft whose target is the parent's recipients with `outcome` (resolved
   * when it is launched), sent from the parent's number unless another is given.
   */
  async followUp(
    ws: WorkspaceId,
    parentId: string,
    input: Omit<CampaignCreate, 'audienceId' | 'segmentId' | 'followUp' | 'phoneNumberId'> & {
      outcome: CampaignOutcome;
      phoneNumberId?: string;
    },
  ): Promise<CampaignRecord> {
    const parent = await this.get(ws, parentId);
    const { outcome, ...rest } = input;
    return this.create(ws, {
      ...rest,
      phoneNumberId: input.phoneNumberId ?? parent.phoneNumberId,
      followUp: { campaignId: parent.id, outcome },
    });
  }

  /** Exactly one target that exists in the workspace, and exclusions that do (else 404s). */
  private async targetProblems(
    ws: WorkspaceId,
    input: CampaignCreate,
  ): Promise<Array<{ field: string; message: string }>> {
    const given = [input.audienceId, input.segmentId, input.followUp].filter(
      (x) => x !== undefined && x !== null,
    );
    if (given.length !== 1) {
      return [{ field: 'audienceId', message: 'give exactly one of audienceId or segmentId' }];
    }
    if (input.audienceId) {
      await this.audiences.get(ws, input.audienceId);
    }
    if (input.segmentId) {
      await this.segments.get(ws, input.segmentId);
    }
    const problems: Array<{ field: string; message: string }> = [];
    if (input.followUp) {
      const parent = await this.get(ws, input.followUp.campaignId);
      if (!parent.targetedAt) {
        problems.push({
          field: 'outcome',
          message: `campaign ${parent.id} has not been sent yet (${parent.status}): it has no outcomes to follow up`,
        });
      }
    }
    for (const x of input.exclude ?? []) {
      if ('audienceId' in x) {
        await this.audiences.get(ws, x.audienceId);
      } else {
        await this.segments.get(ws, x.segmentId);
      }
    }
    return problems;
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
    order?: 'asc' | 'desc',
  ): Promise<Page<CampaignRecord>> {
    return this.campaigns.list(ws, limit, cursor, status, order);
  }

  async messages(
    ws: WorkspaceId,
    id: string,
    limit: number,
    cursor?: string,
    filter?: MessageFilter,
  ): Promise<Page<CampaignMessageRecord>> {
    const campaign = await this.get(ws, id);
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) {
      throw new CampaignInvalidError([{ field: 'cursor', message: 'cursor is not valid' }]);
    }
    const page = await this.campaigns.messages(ws, id, limit, cursor ?? null, filter);
    // Each message's own links (its tokens), with what its recipient clicked.
    for (const m of page.data) {
      m.trackedLinks = this.links.linksOf(campaign, m.id, m.variant).map((l) => {
        const c = m.linkClicks.find((x) => x.linkIndex === l.index);
        return {
          token: l.token,
          target: l.target,
          clicks: c?.clicks ?? 0,
          firstClickAt: c?.firstClickAt ?? null,
          lastClickAt: c?.lastClickAt ?? null,
        };
      });
    }
    return page;
  }

  /**
   * Now, or at `scheduledAt` when that is still ahead. The template must be APPROVED. With an
   * idempotency key, a repeated launch answers what the first one did (and launches once).
   */
  async launch(ws: WorkspaceId, id: string, idempotencyKey?: string): Promise<CampaignRecord> {
    if (idempotencyKey !== undefined) {
      const answer = await this.idempotency.once(
        ws,
        'campaign-launch',
        idempotencyKey,
        hashRequest(id),
        async () => ({ status: 200, body: await this.launch(ws, id) }),
      );
      return reviveDates(answer.body);
    }
    const campaign = await this.get(ws, id);
    if (campaign.status !== 'draft') {
      throw new IllegalTransitionError(campaign.status, 'launch');
    }
    await this.requireApprovedTemplate(ws, campaign);
    // A binding that would fail at Meta (132000/132012) or reach nobody is refused here, by place.
    const blocking = (await this.checkBindings.execute(ws, campaign)).filter((p) => p.blocking);
    if (blocking.length) {
      throw new CampaignInvalidError(blocking.map((p) => ({ field: p.field, message: p.message })));
    }
    return this.moveAndKick(campaign, 'launch');
  }

  /** Answers once nothing of the campaign can leave any more (see FENCE_SETTLE_MS). */
  async pause(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const paused = await this.moveOrRefuse(await this.get(ws, id), 'pause', 'paused_by_user');
    await fenceSettled();
    return paused;
  }

  async resume(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(ws, id);
    if (campaign.status !== 'paused') {
      throw new IllegalTransitionError(campaign.status, 'resume');
    }
    await this.requireApprovedTemplate(ws, campaign);
    return this.moveAndKick(campaign, 'resume');
  }

  async cancel(ws: WorkspaceId, id: string): Promise<CampaignRecord> {
    await this.moveOrRefuse(await this.get(ws, id), 'cancel', 'cancelled_by_user');
    await fenceSettled();
    await this.campaigns.cancelPending(id);
    return this.get(ws, id);
  }

  /**
   * Starts a scheduled campaign whose time has come (from the worker's tick). Atomic in SQL, so
   * of two workers only one wins; returns whether this caller did.
   */
  async startScheduled(id: string): Promise<boolean> {
    const started = await this.state.move(id, 'start');
    if (started) {
      this.logger.log({ message: 'campaign running', campaignId: id });
      await this.kick(started);
    }
    return started !== null;
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
    await Promise.all(
      Array.from({ length: this.config.campaigns.lanes }, (_, lane) =>
        this.queue.add(LANE_JOB, { v: 1, campaignId: campaign.id, lane } satisfies LaneData, {
          jobId: laneJobId(campaign.id, lane),
          ...JOB_DEFAULTS,
        }),
      ),
    );
  }

  /** Every template the campaign sends (each variant's) must be APPROVED. */
  async requireApprovedTemplate(ws: WorkspaceId, campaign: CampaignRecord): Promise<void> {
    const ids = new Set([campaign.templateId, ...campaign.variants.map((v) => v.templateId)]);
    for (const id of ids) {
      const template = await this.templates.get(ws, id);
      if (template.status !== 'APPROVED') {
        throw new TemplateNotApprovedError(template.status);
      }
    }
  }

  private async moveOrRefuse(
    campaign: CampaignRecord,
    action: CampaignAction,
    reason: string | null = null,
  ): Promise<CampaignRecord> {
    const moved = await this.state.move(campaign.id, action, reason);
    if (!moved) {
      const now = await this.campaigns.findById(campaign.id);
      throw new IllegalTransitionError(now?.status ?? campaign.status, action);
    }
    return moved;
  }

  private async moveAndKick(
    campaign: CampaignRecord,
    action: CampaignAction,
  ): Promise<CampaignRecord> {
    const moved = await this.moveOrRefuse(campaign, action);
    if (moved.status === 'running') {
      this.logger.log({
        message: 'campaign running',
        campaignId: campaign.id,
        workspaceId: campaign.workspaceId,
      });
      await this.kick(moved);
    }
    return moved;
  }

  /**
   * A template became PAUSED, DISABLED, REJECTED…: every live campaign using it stops with the
   * reason (paused while it may come back, failed when it cannot), in the caller's transaction.
   */
  async stopForTemplates(tx: Tx, stopped: readonly StoppedTemplate[]): Promise<number> {
    let n = 0;
    for (const t of stopped) {
      if (!stopsCampaigns(t.status)) {
        continue;
      }
      const permanent =
        t.status === 'DISABLED' || t.status === 'DELETED' || t.status === 'PENDING_DELETION';
      const reason = `template_${t.status.toLowerCase()}`;
      for (const id of await this.campaigns.liveCampaignsOfTemplates(tx, [t.templateId])) {
        if (await this.state.move(id, permanent ? 'fail' : 'pause', reason, tx)) {
          n++;
        }
      }
    }
    return n;
  }
}
