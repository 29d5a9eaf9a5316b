import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, maskPhone, toWaId, type Clock } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { isUsRecipient } from '@app/audiences';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ConsentsService } from '@app/consents';
import { Database } from '@app/db';
import {
  SendGate,
  ThroughputGovernor,
  type DispatchLane,
  type DispatchOutcome,
} from '@app/governor';
import { GraphApiError, GraphClient, type SendResult as GraphSendResult } from '@app/graph-client';
import type {
  CloudMessageRequest,
  GraphTemplateRef,
  MarketingMessageRequest,
} from '@app/graph-contract';
import {
  renderTemplate,
  TemplatesService,
  type SendComponent,
  type TemplateRecord,
} from '@app/templates';
import { CampaignsRepository, type ClaimedMessage } from '../campaigns.repository';
import { CampaignStateService } from '../campaign-state.service';
import type { CampaignRecord } from '../campaigns.types';
import { DeliveryRepository } from '../delivery/delivery.repository';
import type { SendResult } from '../domain/send-outcome';
import { routeOf } from '../domain/route';
import { sendTtlSecondsOf } from '../domain/message-ttl';
import { callbackDataOf } from '../delivery/domain/delivery-status';
import { contactOfBoundValues } from '../domain/bound-values';
import { SegmentsService } from '@app/segments';
import { bindingsOf, TrackedLinks } from '../links/tracked-links';
import { OutcomeWriter } from './outcome-writer';
import { SendFence, type FenceVerdict } from './send-fence';
import { WorkerLease } from './worker-lease';

/** How a lane run ended: stopped (not running, shutting down), done (nothing left), waiting (work due later). */
export type LaneOutcome = 'stopped' | 'done' | 'waiting';

/** Messages rendered between two turns of the event loop (a few milliseconds of work). */
const RENDER_SLICE = 50;

/** A claimed message ready to go: its recipient in Meta's form and its rendered components. */
interface Prepared {
  msg: ClaimedMessage;
  to: string;
  template: TemplateRecord;
  components: SendComponent[];
}

interface Lane {
  campaign: CampaignRecord;
  template: TemplateRecord;
  /** Each A/B variant's template (empty without variants). */
  variantTemplates: Map<string, TemplateRecord>;
  /** An A/B test without a winner yet: only its test share may go. */
  testShareOnly: boolean;
  token: string;
  dispatch: DispatchLane;
  /** When the templates (their categories) were last read: a category change applies mid-lane. */
  templatesReadAt: number;
}

/** A lane waits for a retry due this soon rather than ending (see retriesDueSoon). */
const RETRY_WAIT_MS = 5000;
/** With nothing to claim but answers still out, the lane looks again this often. */
const OPEN_ANSWERS_POLL_MS = 200;

/** How stale a lane's view of its templates' categories may get (they route each send). */
const TEMPLATE_REFRESH_MS = 1000;

/** What one request's fate means for its message (see domain/send-outcome.ts). */
export function resultOf(
  o: DispatchOutcome<Prepared, GraphSendResult, Exclude<FenceVerdict, 'go'>>,
): SendResult {
  switch (o.kind) {
    case 'held':
      return { kind: 'held', until: new Date(o.untilMs) };
    case 'unsent':
      return { kind: 'unsent' };
    case 'gated':
      return o.verdict === 'opted-out' ? { kind: 'opted-out' } : { kind: 'unsent' };
    case 'answered':
      return { kind: 'accepted', wamid: o.value.wamid, at: new Date(o.firedAtMs) };
    case 'threw': {
      const at = new Date(o.firedAtMs);
      const e =
        o.error instanceof GraphApiError
          ? o.error
          : GraphApiError.transport(`send failed unexpectedly: ${String(o.error)}`);
      const error = {
        code: e.code,
        category: e.category,
        title: e.message,
        details: e.details,
      };
      if (e.maybeAccepted) {
        return { kind: 'in-doubt', at, error };
      }
      return e.code === -1 && e.httpStatus === 0
        ? { kind: 'never-left', error }
        : { kind: 'refused', at, error };
    }
  }
}

/**
 * One send lane of one campaign: claim ≈ half a second of due messages → render → dispatch
 * through the governor's gate (requests leave at their slots, whatever is still unanswered) →
 * outcomes written back as answers come, while the next batch is already going out. Lanes of a
 * campaign, and of every worker process, share the number's timeline in Redis.
 */
@Injectable()
export class CampaignSender {
  private readonly logger = new Logger(CampaignSender.name);
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly campaigns: CampaignsRepository,
    private readonly ledger: DeliveryRepository,
    private readonly state: CampaignStateService,
    private readonly templates: TemplatesService,
    private readonly accounts: BusinessAccountsService,
    private readonly consents: ConsentsService,
    private readonly governor: ThroughputGovernor,
    private readonly gate: SendGate,
    private readonly fence: SendFence,
    private readonly graph: GraphClient,
    private readonly lease: WorkerLease,
    private readonly segments: SegmentsService,
    private readonly links: TrackedLinks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Shutdown: book no more slots; what is in flight is answered and written. */
  stop(): void {
    this.stopping = true;
  }

  /** Runs until nothing is due now (or the campaign stops); the worker's tick starts it again. */
  async runLane(campaignId: string): Promise<LaneOutcome> {
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign || campaign.status !== 'running') {
      if (campaign?.status === 'cancelled') {
        await this.campaigns.cancelPending(campaignId);
      }
      return 'stopped';
    }
    if (!campaign.targetedAt) {
      return 'waiting';
    }
    const lane = await this.laneOf(campaign);
    const writer = new OutcomeWriter(
      {
        db: this.db,
        campaigns: this.campaigns,
        ledger: this.ledger,
        consents: this.consents,
        governor: this.governor,
        state: this.state,
        clock: this.clock,
      },
      {
        workerId: this.lease.id,
        campaignId,
        workspaceId: campaign.workspaceId,
        phoneNumberId: lane.dispatch.phoneNumberId,
        limitMps: lane.dispatch.limitMps,
      },
    );
    let halted = false;
    const halt = (): boolean =>
      halted || this.stopping || writer.stoppedCampaign || !this.lease.healthy();
    const settling: Array<Promise<void>> = [];
    let unsettled = 0;
    let lookedAfterWrite = false;
    try {
      // About half a second of sending per batch: claims stay short, consent stays fresh.
      const batchSize = Math.max(
        1,
        Math.min(this.config.campaigns.batchSize, Math.ceil(lane.dispatch.limitMps / 2)),
      );
      while (!halt()) {
        if (!(await this.state.isRunning(campaignId)) || !(await this.refreshTemplates(lane))) {
          halted = true;
          break;
        }
        const now = this.clock.now();
        const claimed = await this.campaigns.claim(
          campaignId,
          this.lease.id,
          batchSize,
          campaign.sendWindow
            ? {
                ...campaign.sendWindow,
                perContactTimezone: campaign.sendWindow.perContactTimezone ?? false,
              }
            : null,
          now,
          await this.segments.capWindow(campaign.workspaceId, now),
          lane.testShareOnly,
        );
        if (claimed.length === 0) {
          if (await this.retriesDueSoon(campaignId)) {
            continue;
          }
          // This lane's answers still coming may put messages back (a 500, a missed slot): they
          // are looked for here, not after the slowest answer and the next tick (a 13 s gap
          // before the last 282 of 100,000 was measured at Meta-like latency).
          if (unsettled > 0) {
            await Promise.race([
              Promise.all(settling),
              new Promise((r) => setTimeout(r, OPEN_ANSWERS_POLL_MS)),
            ]);
            continue;
          }
          if (!lookedAfterWrite) {
            await writer.drain();
            lookedAfterWrite = true;
            continue;
          }
          break;
        }
        lookedAfterWrite = false;
        const prepared = await this.prepare(lane, claimed, writer);
        const d = this.gate.dispatch(
          lane.dispatch,
          prepared.map((p) => ({ item: p, recipient: p.to })),
          {
            // Route by the template's current category (MMLITE-2026 row 2): only MARKETING
            // goes to /marketing_messages, anything else (recategorised to UTILITY) to /messages.
            send: (p) =>
              routeOf(p.template) === 'marketing_messages'
                ? this.graph.sendMarketingMessage(
                    lane.dispatch.phoneNumberId,
                    lane.token,
                    this.body(lane, p),
                  )
                : this.graph.sendMessage(
                    lane.dispatch.phoneNumberId,
                    lane.token,
                    this.cloudBody(p),
                  ),
            gate: async (ps) => {
              const v = await this.fence.check(
                campaignId,
                campaign.workspaceId,
                ps.map((p) => p.msg.phone),
              );
              if (v.includes('stopped')) {
                halted = true;
              }
              return v;
            },
            halted: halt,
            onOutcome: (o) =>
              writer.add(o.item.msg, resultOf(o), sendTtlSecondsOf(o.item.template)),
          },
        );
        unsettled++;
        settling.push(d.settled.finally(() => unsettled--));
        // The next batch is claimed while this one's last slots fire: its slots follow on.
        await d.booked;
      }
      await Promise.all(settling);
    } finally {
      await writer.drain();
    }
    if (halt()) {
      if ((await this.campaigns.status(campaignId)) === 'cancelled') {
        await this.campaigns.cancelPending(campaignId);
      }
      return 'stopped';
    }
    const now = this.clock.now();
    if ((await this.campaigns.nextDueAt(campaignId, now)) === null) {
      await this.campaigns.completeIfDone(campaignId, now);
      return 'done';
    }
    return 'waiting';
  }

  /**
   * Nothing is due now: when a retry falls due within RETRY_WAIT_MS (a 500, a throughput or
   * pair-rate refusal near the end of a campaign), waits for it here, beside the answers still
   * coming. Ending the lane instead would first wait for its slowest answer (up to
   * GRAPH_API_TIMEOUT_MS), and only then would the tick start it again.
   */
  private async retriesDueSoon(campaignId: string): Promise<boolean> {
    const now = this.clock.now().getTime();
    const due = await this.campaigns.nextDueAt(campaignId, new Date(now));
    if (due === null || due === 'now' || due.getTime() - now > RETRY_WAIT_MS) {
      return false;
    }
    await new Promise((r) => setTimeout(r, Math.max(10, due.getTime() - now)));
    return true;
  }

  private async laneOf(campaign: CampaignRecord): Promise<Lane> {
    const phone = await this.accounts.getPhoneNumber(campaign.workspaceId, campaign.phoneNumberId);
    const account = await this.accounts.get(campaign.workspaceId, phone.businessAccountId);
    const variantTemplates = new Map<string, TemplateRecord>();
    for (const v of campaign.variants) {
      variantTemplates.set(v.key, await this.templates.get(campaign.workspaceId, v.templateId));
    }
    return {
      campaign,
      template: await this.templates.get(campaign.workspaceId, campaign.templateId),
      variantTemplates,
      testShareOnly:
        campaign.variants.length > 0 &&
        campaign.winnerKey === null &&
        (campaign.abTest?.testPercent ?? 100) < 100,
      token: await this.accounts.accessToken(campaign.workspaceId, account.id),
      templatesReadAt: this.clock.now().getTime(),
      dispatch: {
        phoneNumberId: phone.phoneNumberId,
        limitMps: Math.min(phone.throughputMps, campaign.throughputMps ?? Number.POSITIVE_INFINITY),
        portfolioKey: account.wabaId,
        messagingLimitPerDay: phone.messagingLimitPerDay,
      },
    };
  }

  /**
   * Re-reads the lane's templates once they are older than TEMPLATE_REFRESH_MS, so a completed
   * category change (template_category_update) routes the next batch. A template that became
   * neither MARKETING nor UTILITY cannot serve a campaign: the campaign pauses with the reason.
   * False when the campaign was paused.
   */
  private async refreshTemplates(lane: Lane): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (now - lane.templatesReadAt >= TEMPLATE_REFRESH_MS) {
      const ws = lane.campaign.workspaceId;
      lane.template = await this.templates.get(ws, lane.template.id);
      for (const [key, t] of lane.variantTemplates) {
        lane.variantTemplates.set(key, await this.templates.get(ws, t.id));
      }
      lane.templatesReadAt = now;
    }
    const unfit = [lane.template, ...lane.variantTemplates.values()].find(
      (t) => routeOf(t) === null,
    );
    if (unfit) {
      await this.state.move(
        lane.campaign.id,
        'pause',
        `template_category_${unfit.category.toLowerCase()}`,
      );
      return false;
    }
    return true;
  }

  /** Renders each message (attributes may have changed since the snapshot); drops what Meta won't deliver. */
  private async prepare(
    lane: Lane,
    claimed: ClaimedMessage[],
    writer: OutcomeWriter,
  ): Promise<Prepared[]> {
    const out: Prepared[] = [];
    for (const [k, msg] of claimed.entries()) {
      // Requests of the batch before are firing at their slots: rendering a whole batch at once
      // (10-20 ms) made some of them late.
      if (k > 0 && k % RENDER_SLICE === 0) {
        await yieldToLoop();
      }
      if (isUsRecipient(msg.phone)) {
        writer.change(msg, { status: 'skipped', requested: false, skipReason: 'us_recipient' });
        continue;
      }
      // The values frozen at the snapshot (a retry renders exactly as the first request did).
      const contact = msg.boundValues
        ? contactOfBoundValues(msg.phone, msg.boundValues)
        : {
            phone: msg.phone,
            locale: msg.locale,
            timezone: msg.timezone,
            attributes: msg.attributes,
          };
      // Its variant (the winner for the rest of an A/B test), its own tracked links.
      const variant = msg.variant ?? lane.campaign.winnerKey;
      const template = (variant && lane.variantTemplates.get(variant)) || lane.template;
      const bindings = this.links.forMessage(msg.id, bindingsOf(lane.campaign, variant));
      const r = renderTemplate(template, bindings, contact);
      if (!r.ok) {
        this.logger.debug(`skipping ${maskPhone(msg.phone)}: ${r.attribute} ${r.reason}`);
        // missing_attribute (no value) or invalid_parameter (a value Meta would refuse).
        writer.change(msg, { status: 'skipped', requested: false, skipReason: r.reason });
        continue;
      }
      out.push({ msg, to: toWaId(msg.phone), template, components: r.components });
    }
    return out;
  }

  private body(lane: Lane, p: Prepared): MarketingMessageRequest {
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: p.to,
      type: 'template',
      template: templateRefOf(p),
      product_policy: lane.campaign.productPolicy,
      ...(lane.campaign.messageActivitySharing === null
        ? {}
        : { message_activity_sharing: lane.campaign.messageActivitySharing }),
      // Our message id: lets a status webhook be matched even when this request's answer is lost.
      biz_opaque_callback_data: callbackDataOf(p.msg.id, p.msg.retries),
    };
  }

  /** A Cloud API `/messages` template send: no MM-only fields (product policy, activity sharing). */
  private cloudBody(p: Prepared): CloudMessageRequest {
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: p.to,
      type: 'template',
      template: templateRefOf(p),
      biz_opaque_callback_data: callbackDataOf(p.msg.id, p.msg.retries),
    };
  }
}

function templateRefOf(p: Prepared): GraphTemplateRef {
  return {
    name: p.template.name,
    language: { code: p.template.language },
    components: p.components,
  };
}
