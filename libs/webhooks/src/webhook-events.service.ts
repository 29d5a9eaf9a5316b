import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CampaignsService, DeliveryService, type StatusEvent } from '@app/campaigns';
import { CLOCK, fromWaId, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ConsentsService, type WebhookConsentChange } from '@app/consents';
import { Database, isRetryableTxError, type Tx } from '@app/db';
import { TemplatesService, type TemplateEvent as TemplateChange } from '@app/templates';
import { compileOptOutRules, type CompiledOptOutRules } from './domain/opt-out';
import { afterFailure } from './domain/retry';
import {
  parseWebhookBody,
  wabaIdsOf,
  type InboundMessage,
  type ParsedWebhook,
  type TemplateEvent,
  type UserPreferenceEvent,
} from './domain/webhook-payload';
import { WebhookEventsRepository, type ClaimedWebhookEvent } from './webhook-events.repository';
import { WebhookItemsRepository } from './webhook-items.repository';

export interface WebhookBatchReport {
  /** Raw webhook events applied and marked processed. */
  events: number;
  statuses: number;
  /** Opt-outs recorded in the consent ledger (STOP, opt-out button, user preferences, 131050). */
  consents: number;
  inbound: number;
  templateEvents: number;
  userPreferences: number;
  /** Meta's link clicks stored (new ones; a redelivered click id counts once). */
  metaClicks: number;
  malformed: number;
  unknown: number;
  /** Events parked for a later retry because they failed on their own. */
  failed: number;
}

/** Events parsed between two turns of the event loop (a few milliseconds of work). */
const PARSE_SLICE = 50;

const EMPTY: WebhookBatchReport = {
  events: 0,
  statuses: 0,
  consents: 0,
  inbound: 0,
  templateEvents: 0,
  userPreferences: 0,
  metaClicks: 0,
  malformed: 0,
  unknown: 0,
  failed: 0,
};

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

/**
 * Drains the webhook journal: claims a batch, parses it, and applies each kind of item by calling
 * the library that owns it — statuses to the delivery ledger (campaigns), consent changes to the
 * consent ledger, quick-reply taps as clicks, Meta's link clicks beside ours, template updates to templates (which may stop
 * campaigns) — then marks the batch processed. All in one transaction, so a crash at any point
 * re-applies nothing and loses nothing.
 */
@Injectable()
export class WebhookEventsService {
  private readonly logger = new Logger(WebhookEventsService.name);
  private readonly rules: CompiledOptOutRules;
  private readonly batchSize: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Database,
    private readonly events: WebhookEventsRepository,
    private readonly items: WebhookItemsRepository,
    private readonly delivery: DeliveryService,
    private readonly consents: ConsentsService,
    private readonly templates: TemplatesService,
    private readonly campaigns: CampaignsService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.rules = compileOptOutRules(config.webhook);
    this.batchSize = config.webhook.batchSize;
    this.maxAttempts = config.webhook.maxAttempts;
  }

  /**
   * How far behind the journal is: the age of the oldest event not tried yet (0 when none waits).
   * A status that would prove a send may be waiting in it, so resends wait this much longer.
   */
  pendingLagMs(): Promise<number> {
    return this.events.pendingLagMs();
  }

  /**
   * Retention: deletes processed events older than `retentionMs`, in bounded batches, so the
   * journal does not grow forever. Malformed payloads are kept (the evidence of what went wrong);
   * those merely flagged `unknown` (a field or value Meta added) go with the rest.
   */
  async pruneProcessed(retentionMs: number, batch = 10_000, maxBatches = 100): Promise<number> {
    const before = new Date(this.clock.now().getTime() - retentionMs);
    return inBatches(batch, maxBatches, (n) => this.events.pruneProcessed(before, n));
  }

  /**
   * Retention of Meta's click rows (`meta_link_clicks`), stored from these events: older than
   * `retentionMs`, and never younger than META_CLICK_MIN_RETENTION_MS, they go in bounded
   * batches. They only keep a redelivered click from counting twice; the per-campaign and per-day
   * counts stay.
   */
  async pruneMetaClicks(retentionMs: number, batch = 10_000, maxBatches = 100): Promise<number> {
    const keepMs = Math.max(retentionMs, META_CLICK_MIN_RETENTION_MS);
    const before = new Date(this.clock.now().getTime() - keepMs);
    return inBatches(batch, maxBatches, (n) => this.delivery.pruneMetaClicks(this.db, before, n));
  }

  /** Applies the next batch of pending events; `events: 0` means there was nothing to claim. */
  async processNextBatch(limit = this.batchSize): Promise<WebhookBatchReport> {
    let claimed: ClaimedWebhookEvent[] = [];
    try {
      return await this.db.tx(async (tx) => {
        claimed = await this.events.claim(tx, limit);
        return this.apply(tx, claimed);
      });
    } catch (e) {
      if (isRetryableTxError(e) || claimed.length === 0) {
        throw e;
      }
      this.logger.warn({
        message: 'webhook batch failed; retrying its events one by one',
        events: claimed.length,
        error: e instanceof Error ? e.message : String(e),
      });
      return this.isolate(claimed);
    }
  }

  /** One transaction per event, so a poisonous one is parked and the others go through. */
  private async isolate(claimed: readonly ClaimedWebhookEvent[]): Promise<WebhookBatchReport> {
    const total = { ...EMPTY };
    for (const event of claimed) {
      try {
        const report = await this.db.tx(async (tx) =>
          this.apply(tx, await this.events.claimIds(tx, [event.id])),
        );
        for (const k of Object.keys(total) as (keyof WebhookBatchReport)[]) {
          total[k] += report[k];
        }
      } catch (e) {
        if (isRetryableTxError(e)) {
          continue;
        }
        const error = e instanceof Error ? e.message : String(e);
        const now = this.clock.now();
        const next = afterFailure(event.attempts, this.maxAttempts, now);
        await this.events.recordFailure(event.id, error, next, wabaIdsOf(event.body), now);
        this.logger.error({
          message:
            next.kind === 'dead'
              ? 'webhook event failed for the last time; it is a dead letter'
              : 'webhook event failed; parked for retry',
          webhookEventId: event.id,
          attempts: event.attempts + 1,
          ...(next.kind === 'retry' ? { retryInMs: next.at.getTime() - now.getTime() } : {}),
          error,
        });
        total.failed += 1;
      }
    }
    return total;
  }

  private async apply(
    tx: Tx,
    claimed: readonly ClaimedWebhookEvent[],
  ): Promise<WebhookBatchReport> {
    if (claimed.length === 0) {
      return { ...EMPTY };
    }
    const parsed: { id: string; p: ParsedWebhook }[] = [];
    for (const c of claimed) {
      // The worker fires sends at their slots: one long parse would make them miss those.
      if (parsed.length > 0 && parsed.length % PARSE_SLICE === 0) {
        await yieldToLoop();
      }
      parsed.push({ id: c.id, p: parseWebhookBody(c.body, c.id, this.rules) });
    }

    const statuses = parsed.flatMap((x) => x.p.statuses);
    const statusOptOuts = await this.delivery.applyStatusEvents(tx, statuses);

    const inbound = uniqueBy(
      parsed.flatMap((x) => x.p.inbound),
      (m) => m.wamid,
    );
    const newInbound = await this.items.insertInbound(tx, inbound);
    const inboundNew = inbound.filter((m) => newInbound.has(m.wamid));

    const prefs = uniqueBy(
      parsed.flatMap((x) => x.p.userPreferences),
      (p) => p.dedupeKey,
    );
    const newPrefs = await this.items.claimKeys(tx, 'user_preference', prefs);
    const prefsNew = prefs.filter((p) => newPrefs.has(p.dedupeKey));

    const consents: WebhookConsentChange[] = [
      ...inboundNew.filter((m) => m.isOptOut).map(consentOfInbound),
      ...prefsNew
        .filter((p) => p.value === 'stop' || p.value === 'resume')
        .map(consentOfPreference),
      ...statusOptOuts.map((o) => ({
        phoneNumberId: o.phoneNumberId,
        phone: o.recipient ? fromWaId(o.recipient) : null,
        userId: o.recipientUserId,
        status: 'opted_out' as const,
        source: 'whatsapp_131050',
        proof: `status ${o.wamid} failed 131050`,
        at: null,
        by: null,
      })),
    ];
    await this.consents.recordFromWebhooks(tx, consents);
    // BSUIDs beside phones are learnt after the batch commits, off its transaction: a lost
    // pairing is learnt again from the next webhook that carries it.
    const pairs = userIdPairsOf(statuses, inbound, prefs);
    if (pairs.length > 0) {
      tx.onCommit(() =>
        this.consents.learnUserIds(pairs).catch((e: unknown) =>
          this.logger.warn({
            message: 'could not store business-scoped user ids',
            error: e instanceof Error ? e.message : String(e),
          }),
        ),
      );
    }

    await this.delivery.applyClicks(
      tx,
      inboundNew
        .filter((m) => m.isButtonClick && !m.isOptOut && m.contextWamid)
        .map((m) => ({ wamid: m.contextWamid as string, at: m.at })),
    );

    const metaClicks = await this.delivery.applyMetaClicks(
      tx,
      parsed.flatMap((x) => x.p.userActions),
    );

    const templates = uniqueBy(
      parsed.flatMap((x) => x.p.templateEvents),
      (t) => t.dedupeKey,
    );
    const newTemplates = await this.items.claimKeys(tx, 'template', templates);
    const templatesNew = templates.filter((t) => newTemplates.has(t.dedupeKey));
    if (templatesNew.length > 0) {
      const stopped = await this.templates.applyEvents(tx, templatesNew.flatMap(templateChangeOf));
      const n = await this.campaigns.stopForTemplates(tx, stopped);
      if (n) {
        this.logger.warn({ message: 'campaigns stopped by template status', campaigns: n });
      }
    }

    await this.events.markProcessed(
      tx,
      parsed.map(({ id, p }) => ({
        id,
        malformed: p.malformed,
        unknown: p.unknown,
        itemCount:
          p.statuses.length +
          p.inbound.length +
          p.templateEvents.length +
          p.userPreferences.length +
          p.userActions.length +
          p.ignored,
        problems: p.problems.length > 0 ? p.problems.join('; ') : null,
      })),
    );
    return {
      events: claimed.length,
      statuses: statuses.length,
      consents: consents.length,
      inbound: inboundNew.length,
      templateEvents: templatesNew.length,
      userPreferences: prefsNew.length,
      metaClicks: metaClicks.stored,
      malformed: parsed.filter((x) => x.p.malformed).length,
      unknown: parsed.filter((x) => x.p.unknown).length,
      failed: 0,
    };
  }
}

/** (number, E.164, BSUID) for every item that names a user both ways. */
function userIdPairsOf(
  statuses: readonly StatusEvent[],
  inbound: readonly InboundMessage[],
  prefs: readonly UserPreferenceEvent[],
): Array<{ phoneNumberId: string | null; phone: string; userId: string }> {
  const out = new Map<string, { phoneNumberId: string | null; phone: string; userId: string }>();
  const add = (phoneNumberId: string | null, waId: string | null, userId: string | null) => {
    if (waId && userId && /^\d{7,15}$/.test(waId)) {
      const phone = fromWaId(waId);
      out.set(`${phoneNumberId}|${phone}`, { phoneNumberId, phone, userId });
    }
  };
  statuses.forEach((s) => add(s.phoneNumberId, s.recipientId, s.recipientUserId));
  inbound.forEach((m) => add(m.phoneNumberId, m.from, m.fromUserId));
  prefs.forEach((p) => add(p.phoneNumberId, p.waId, p.userId));
  return [...out.values()];
}

const phoneOf = (waId: string | null): string | null => (waId ? fromWaId(waId) : null);

/** STOP keyword or the opt-out button: an opt-out, with the message as proof. */
function consentOfInbound(m: InboundMessage): WebhookConsentChange {
  return {
    phoneNumberId: m.phoneNumberId,
    phone: phoneOf(m.from),
    userId: m.fromUserId,
    status: 'opted_out',
    source: m.optOutReason === 'button' ? 'whatsapp_opt_out_button' : 'whatsapp_stop_keyword',
    proof: JSON.stringify(m.raw),
    at: m.at,
    by: m.wamid,
  };
}

/** The user's own "stop"/"resume" of marketing in WhatsApp settings (authoritative, MMLITE §8). */
function consentOfPreference(e: UserPreferenceEvent): WebhookConsentChange {
  return {
    phoneNumberId: e.phoneNumberId,
    phone: phoneOf(e.waId),
    userId: e.userId,
    status: e.value === 'stop' ? 'opted_out' : 'opted_in',
    source: `whatsapp_user_preferences_${e.value}`,
    proof: JSON.stringify(e.raw),
    at: e.at,
    by: e.dedupeKey,
  };
}

/** Template status, quality and completed category changes, as the templates library takes them. */
function templateChangeOf(e: TemplateEvent): TemplateChange[] {
  if (e.kind === 'status' && e.event) {
    return [
      {
        kind: 'status',
        wabaId: e.wabaId,
        metaTemplateId: e.templateId,
        event: e.event,
        reason: e.reason,
        rejectionInfo: (e.raw as { rejection_info?: unknown } | null)?.rejection_info ?? null,
        otherInfo: (e.raw as { other_info?: unknown } | null)?.other_info ?? null,
      },
    ];
  }
  if (e.kind === 'quality' && e.newQuality) {
    return [
      {
        kind: 'quality',
        wabaId: e.wabaId,
        metaTemplateId: e.templateId,
        newQualityScore: e.newQuality,
      },
    ];
  }
  if (e.kind === 'category' && e.newCategory && !e.categoryUpdateAt) {
    return [
      {
        kind: 'category',
        wabaId: e.wabaId,
        metaTemplateId: e.templateId,
        newCategory: e.newCategory,
        previousCategory: e.previousCategory,
      },
    ];
  }
  return [];
}

/**
 * Meta redelivers a webhook for up to 7 days (MMLITE §4.3): a click row pruned sooner would let a
 * redelivered click count twice, whatever WEBHOOK_RETENTION_DAYS says.
 */
const META_CLICK_MIN_RETENTION_MS = 8 * 86_400_000;

/** Runs a delete of at most `batch` rows until one deletes fewer, at most `maxBatches` times. */
async function inBatches(
  batch: number,
  maxBatches: number,
  deleteUpTo: (n: number) => Promise<number>,
): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await deleteUpTo(batch);
    total += n;
    if (n < batch) {
      break;
    }
  }
  return total;
}
