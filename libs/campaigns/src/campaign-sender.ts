import { Inject, Injectable, Logger } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { CLOCK, maskPhone, type Clock } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ThroughputGovernor, waitForSlot } from '@app/governor';
import { GraphApiError, GraphClient, type SendResult } from '@app/graph-client';
import type { MarketingMessageRequest } from '@app/graph-contract';
import {
  renderTemplate,
  TemplatesService,
  type SendComponent,
  type TemplateRecord,
} from '@app/templates';
import {
  CampaignsRepository,
  type ClaimedMessage,
  type MessageUpdate,
} from './campaigns.repository';
import { CampaignStateService } from './campaign-state.service';
import { decideAfterFailure } from './domain/send-outcome';
import type { MessageState } from './domain/message-status';
import type { CampaignRecord } from './campaigns.types';
import { OptOutRecorder } from './opt-out.recorder';
import { KnownStatuses, lockWamids } from './known-statuses';
import { WorkerLease } from './worker-lease';

/** How a lane run ended, for the processor to decide when to run again. */
export type LaneOutcome =
  { kind: 'stopped' } | { kind: 'done' } | { kind: 'again'; delayMs: number };

interface SendContext {
  campaign: CampaignRecord;
  template: TemplateRecord;
  token: string;
  metaPhoneNumberId: string;
  limitMps: number;
  portfolioKey: string;
  messagingLimitPerDay: number | null;
}

interface Prepared {
  msg: ClaimedMessage;
  to: string;
  components: SendComponent[];
}

type Attempt =
  | { msg: ClaimedMessage; ok: true; result: SendResult }
  | { msg: ClaimedMessage; ok: false; error: GraphApiError }
  | { msg: ClaimedMessage; ok: 'unsent' }
  | { msg: ClaimedMessage; ok: 'opted-out' };

const SLOT_CHUNK = 50;

/**
 * Most unanswered requests one process keeps per number. A backlog of requests waiting for a slow
 * receiver would be delivered together and break the one-second window; capping it at ~2 % of the
 * limit keeps any such bunch inside the governor's headroom.
 */
export function maxInFlight(limitMps: number): number {
  return Math.max(4, Math.floor(limitMps * 0.02));
}
const LANE_BUDGET_MS = 20_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** Meta does not deliver marketing templates to United States numbers (MMLITE §1.8). */
export function isUsRecipient(phone: string): boolean {
  if (!phone.startsWith('+1')) {
    return false;
  }
  return parsePhoneNumberFromString(phone)?.country === 'US';
}

/**
 * The send loop of one lane of one campaign: claim a batch, render, pass the messaging limit,
 * the pair rate and the throughput timeline, send each at its slot, write the outcomes back in
 * one transaction. Lanes of a campaign (and of every worker process) share the governor.
 */
@Injectable()
export class CampaignSender {
  private readonly logger = new Logger(CampaignSender.name);
  private stopping = false;
  /** Unanswered requests per Meta phone-number id, across this process's lanes. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly state: CampaignStateService,
    private readonly templates: TemplatesService,
    private readonly accounts: BusinessAccountsService,
    private readonly governor: ThroughputGovernor,
    private readonly graph: GraphClient,
    private readonly optOuts: OptOutRecorder,
    private readonly known: KnownStatuses,
    private readonly lease: WorkerLease,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Shutdown: finish the batch in hand, claim nothing more. */
  stop(): void {
    this.stopping = true;
  }

  async runLane(campaignId: string): Promise<LaneOutcome> {
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign || campaign.status !== 'running') {
      if (campaign?.status === 'cancelled') {
        await this.campaigns.cancelPending(campaignId);
      }
      return { kind: 'stopped' };
    }
    if (!campaign.targetedAt) {
      return { kind: 'again', delayMs: 500 };
    }
    const ctx = await this.context(campaign);
    const deadline = Date.now() + LANE_BUDGET_MS;
    while (Date.now() < deadline && !this.stopping) {
      if (!(await this.state.isRunning(campaignId))) {
        return { kind: 'stopped' };
      }
      if (!this.lease.healthy()) {
        return { kind: 'again', delayMs: 1000 };
      }
      // About half a second of sending per batch: claims stay short, consent stays fresh.
      const batchSize = Math.max(
        1,
        Math.min(this.config.campaigns.batchSize, Math.ceil(ctx.limitMps / 2)),
      );
      const { claimed } = await this.campaigns.claim(
        campaignId,
        this.lease.id,
        batchSize,
        this.window(campaign),
      );
      if (claimed.length === 0) {
        const due = await this.campaigns.nextDueAt(campaignId);
        if (due === null) {
          await this.campaigns.completeIfDone(campaignId);
          return { kind: 'done' };
        }
        if (due === 'now') {
          // Pending rows exist but are outside the send window (or just got released).
          return { kind: 'again', delayMs: campaign.sendWindow ? 30_000 : 200 };
        }
        return { kind: 'again', delayMs: Math.max(100, due.getTime() - Date.now()) };
      }
      await this.sendBatch(ctx, claimed);
    }
    return { kind: 'again', delayMs: 0 };
  }

  private window(c: CampaignRecord): Parameters<CampaignsRepository['claim']>[3] {
    return c.sendWindow
      ? {
          start: c.sendWindow.start,
          end: c.sendWindow.end,
          timezone: c.sendWindow.timezone,
          perContactTimezone: c.sendWindow.perContactTimezone ?? false,
        }
      : null;
  }

  private async context(campaign: CampaignRecord): Promise<SendContext> {
    const phone = await this.accounts.getPhoneNumber(campaign.workspaceId, campaign.phoneNumberId);
    const account = await this.accounts.get(campaign.workspaceId, phone.businessAccountId);
    return {
      campaign,
      template: await this.templates.get(campaign.workspaceId, campaign.templateId),
      token: await this.accounts.accessToken(campaign.workspaceId, account.id),
      metaPhoneNumberId: phone.phoneNumberId,
      limitMps: Math.min(phone.throughputMps, campaign.throughputMps ?? Number.POSITIVE_INFINITY),
      portfolioKey: account.wabaId,
      messagingLimitPerDay: phone.messagingLimitPerDay,
    };
  }

  private async sendBatch(ctx: SendContext, claimed: ClaimedMessage[]): Promise<void> {
    const now = this.clock.now();
    const updates: Array<{
      msg: ClaimedMessage;
      apply: (before: MessageState) => Omit<MessageUpdate, 'id' | 'campaignId' | 'before'>;
    }> = [];
    const skip = (msg: ClaimedMessage, reason: string): void => {
      updates.push({
        msg,
        apply: (b) => ({ after: { ...b, status: 'skipped' }, skipReason: reason }),
      });
    };
    const later = (msg: ClaimedMessage, at: Date, extra: Partial<MessageUpdate> = {}): void => {
      updates.push({
        msg,
        apply: (b) => ({ after: { ...b, status: 'pending' }, nextAttemptAt: at, ...extra }),
      });
    };

    // 1. Render (attributes may have changed since the snapshot) and drop what Meta won't deliver.
    const prepared: Prepared[] = [];
    for (const msg of claimed) {
      if (isUsRecipient(msg.phone)) {
        skip(msg, 'us_recipient');
        continue;
      }
      const r = renderTemplate(ctx.template, ctx.campaign.parameters, {
        phone: msg.phone,
        locale: msg.locale,
        timezone: msg.timezone,
        attributes: msg.attributes,
      });
      if (!r.ok) {
        skip(msg, 'missing_attribute');
        continue;
      }
      prepared.push({ msg, to: msg.phone.replace(/^\+/, ''), components: r.components });
    }

    // 2. Messaging limit (unique recipients per moving 24 h, per portfolio).
    let sendable = prepared;
    if (ctx.messagingLimitPerDay !== null && prepared.length) {
      const admission = await this.governor.admitRecipients(
        ctx.portfolioKey,
        ctx.messagingLimitPerDay,
        prepared.map((p) => p.to),
      );
      const admitted = new Set(admission.admitted);
      sendable = prepared.filter((p) => admitted.has(p.to));
      for (const p of prepared) {
        if (!admitted.has(p.to)) {
          later(p.msg, new Date(admission.heldUntilMs ?? now.getTime() + 60_000));
        }
      }
    }

    // 3. Pair rate per recipient.
    if (sendable.length) {
      const pair = await this.governor.takePairTokens(
        ctx.metaPhoneNumberId,
        sendable.map((p) => p.to),
      );
      const blocked = new Map(pair.filter((x) => !x.allowed).map((x) => [x.recipient, x]));
      for (const p of sendable) {
        const b = blocked.get(p.to);
        if (b && !b.allowed) {
          later(p.msg, new Date(b.notBeforeMs));
        }
      }
      sendable = sendable.filter((p) => !blocked.has(p.to));
    }

    // 4. Send each at its slot on the shared timeline; stop taking slots when paused.
    const attempts = await this.fire(ctx, sendable);

    // 5. Outcomes.
    const optOutPhones: string[] = [];
    for (const a of attempts) {
      if (a.ok === 'unsent') {
        updates.push({ msg: a.msg, apply: (b) => ({ after: { ...b, status: 'pending' } }) });
      } else if (a.ok === 'opted-out') {
        skip(a.msg, 'opted_out');
      } else if (a.ok) {
        updates.push({
          msg: a.msg,
          apply: (b) => ({
            after: { ...b, status: 'sent', accepted: true },
            wamid: a.result.wamid,
            sentAt: now,
          }),
        });
      } else {
        const e = a.error;
        const decision = decideAfterFailure(
          e.category,
          e.code,
          a.msg.attempts,
          a.msg.pairRateFailures,
        );
        const error = {
          errorCode: e.code,
          errorTitle: e.message.slice(0, 500),
          errorDetails: e.details?.slice(0, 2000) ?? null,
        };
        if (decision.action === 'retry') {
          if (decision.slowDown) {
            await this.governor.onThrottled(ctx.metaPhoneNumberId, ctx.limitMps);
          }
          if (e.category === 'pair-rate') {
            const r = await this.governor.onPairRateLimited(
              ctx.metaPhoneNumberId,
              a.msg.phone.replace(/^\+/, ''),
            );
            later(a.msg, new Date(r.retryAtMs), {
              pairRateFailures: a.msg.pairRateFailures + 1,
              ...error,
            });
          } else {
            later(a.msg, new Date(now.getTime() + decision.afterMs), error);
          }
        } else if (decision.action === 'fail') {
          if (decision.optOut) {
            optOutPhones.push(a.msg.phone);
          }
          updates.push({
            msg: a.msg,
            apply: (b) => ({ after: { ...b, status: 'failed' }, failedAt: now, ...error }),
          });
        } else {
          // The campaign cannot go on with this message: keep it pending for a resume.
          updates.push({
            msg: a.msg,
            apply: (b) => ({ after: { ...b, status: 'pending' }, ...error }),
          });
          if (decision.action === 'pause-campaign') {
            await this.state.pauseForReason(ctx.campaign.id, decision.reason);
          } else {
            await this.state.failForReason(ctx.campaign.id, decision.reason);
          }
        }
      }
    }

    const wamids = attempts.flatMap((a) => (a.ok === true ? [a.result.wamid] : []));
    await this.campaigns.db.transaction(async (em) => {
      // Before the row locks, in the same order as the webhook consumer: see lockWamids.
      await lockWamids(em, wamids);
      const locked = new Map(
        (
          await this.campaigns.lockByIds(
            em,
            updates.map((u) => u.msg.id),
          )
        ).map((l) => [l.id, l]),
      );
      const rows: MessageUpdate[] = [];
      for (const u of updates) {
        const l = locked.get(u.msg.id);
        if (!l) {
          continue;
        }
        const before: MessageState = {
          status: l.status,
          accepted: l.accepted,
          clicked: l.clicked,
          billable: l.billable,
        };
        // A webhook may already have moved this message (matched by callback data): only forward.
        if (l.status !== 'sending') {
          continue;
        }
        rows.push({ id: l.id, campaignId: l.campaignId, before, ...u.apply(before) });
      }
      await this.campaigns.applyUpdates(em, rows);
      // Statuses that arrived before we knew the wamid (the webhook can beat our write).
      await this.known.applyKnown(
        em,
        rows.filter((r) => r.wamid).map((r) => r.wamid as string),
      );
      if (optOutPhones.length) {
        await this.optOuts.record(em, ctx.campaign.workspaceId, optOutPhones, 'meta_error_131050');
      }
    });
    // Cancelled while this batch was in flight: what it did not send is cancelled too.
    if ((await this.campaigns.status(ctx.campaign.id)) === 'cancelled') {
      await this.campaigns.cancelPending(ctx.campaign.id);
    }
  }

  private async fire(ctx: SendContext, prepared: Prepared[]): Promise<Attempt[]> {
    let list = prepared;
    const out: Attempt[] = [];
    const inflight: Array<Promise<void>> = [];
    let i = 0;
    while (i < list.length) {
      if (!this.lease.healthy() || !(await this.state.isRunning(ctx.campaign.id))) {
        break;
      }
      // Consent again, right before this chunk goes out: an opt-out a moment ago still counts.
      const chunk = list.slice(i, i + SLOT_CHUNK);
      const gone = await this.campaigns.notOptedIn(chunk.map((p) => p.msg.contactId));
      if (gone.size) {
        for (const p of chunk.filter((x) => gone.has(x.msg.contactId))) {
          out.push({ msg: p.msg, ok: 'opted-out' });
        }
        list = [
          ...list.slice(0, i),
          ...chunk.filter((x) => !gone.has(x.msg.contactId)),
          ...list.slice(i + chunk.length),
        ];
        continue;
      }
      const want = chunk.length;
      const grant = await this.governor.reserveSlots(ctx.metaPhoneNumberId, ctx.limitMps, want);
      if (grant.slots.length === 0) {
        await sleep(grant.retryAtMs - Date.now());
        continue;
      }
      for (const slot of grant.slots) {
        const p = list[i++] as Prepared;
        inflight.push(
          waitForSlot(slot).then(async (onTime) => {
            const inFlight = this.inFlight.get(ctx.metaPhoneNumberId) ?? 0;
            if (!onTime || inFlight >= maxInFlight(ctx.limitMps)) {
              // Missed by more than the timeline's tolerance, or Meta is answering slower than we
              // send (requests would queue in the HTTP client and later arrive in a bunch above
              // the limit): do not fire late; the message goes back to the queue.
              out.push({ msg: p.msg, ok: 'unsent' });
              return;
            }
            this.inFlight.set(ctx.metaPhoneNumberId, inFlight + 1);
            try {
              const result = await this.graph.sendMarketingMessage(
                ctx.metaPhoneNumberId,
                ctx.token,
                this.body(ctx, p),
              );
              out.push({ msg: p.msg, ok: true, result });
            } catch (e) {
              if (e instanceof GraphApiError) {
                out.push({ msg: p.msg, ok: false, error: e });
              } else {
                this.logger.error(
                  `send to ${maskPhone(p.msg.phone)} failed unexpectedly: ${String(e)}`,
                );
                out.push({ msg: p.msg, ok: false, error: GraphApiError.transport(String(e)) });
              }
            } finally {
              this.inFlight.set(
                ctx.metaPhoneNumberId,
                (this.inFlight.get(ctx.metaPhoneNumberId) ?? 1) - 1,
              );
            }
          }),
        );
      }
      // Let the slots of this chunk approach before booking the next, so a pause bites within a chunk.
      const last = grant.slots[grant.slots.length - 1] ?? Date.now();
      await sleep(last - Date.now() - 100);
    }
    await Promise.all(inflight);
    for (; i < list.length; i++) {
      out.push({ msg: (list[i] as Prepared).msg, ok: 'unsent' });
    }
    return out;
  }

  private body(ctx: SendContext, p: Prepared): MarketingMessageRequest {
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: p.to,
      type: 'template',
      template: {
        name: ctx.template.name,
        language: { code: ctx.template.language },
        components: p.components,
      },
      product_policy: 'STRICT',
      // Our message id: lets a status webhook be matched even when this request's answer is lost.
      biz_opaque_callback_data: p.msg.id,
    };
  }
}
