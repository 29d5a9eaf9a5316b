import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { mergeStatusEvents, transitionOf, type StatusTransition } from './domain/message-status';
import { compileOptOutRules, type CompiledOptOutRules } from './domain/opt-out';
import { parseWebhookBody, type ParsedWebhook } from './domain/webhook-payload';
import { MessageStatusesRepository } from './message-statuses.repository';
import { WebhookConsumers } from './webhook-consumers';
import { WebhookEventsRepository, type ClaimedWebhookEvent } from './webhook-events.repository';
import { WebhookItemsRepository } from './webhook-items.repository';

export interface WebhookBatchReport {
  /** Raw webhook events applied and marked processed. */
  events: number;
  statuses: number;
  transitions: number;
  inbound: number;
  templateEvents: number;
  userPreferences: number;
  malformed: number;
  unknown: number;
  /** Events parked for a later retry because they failed on their own. */
  failed: number;
}

const EMPTY: WebhookBatchReport = {
  events: 0,
  statuses: 0,
  transitions: 0,
  inbound: 0,
  templateEvents: 0,
  userPreferences: 0,
  malformed: 0,
  unknown: 0,
  failed: 0,
};

/** Deadlock or serialization failure: nothing wrong with the events, just try again. */
function isTransient(e: unknown): boolean {
  const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code;
  return code === '40P01' || code === '40001';
}

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

const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * Drains the webhook journal: claims a batch, parses it, applies statuses with one set-based
 * upsert, hands every item to its consumer and marks the batch processed — all in one
 * transaction, so a crash at any point re-applies nothing and loses nothing.
 */
@Injectable()
export class WebhookEventsService {
  private readonly logger = new Logger(WebhookEventsService.name);
  private readonly rules: CompiledOptOutRules;
  private readonly batchSize: number;

  constructor(
    private readonly db: DataSource,
    private readonly events: WebhookEventsRepository,
    private readonly statuses: MessageStatusesRepository,
    private readonly items: WebhookItemsRepository,
    private readonly consumers: WebhookConsumers,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.rules = compileOptOutRules(config.webhook);
    this.batchSize = config.webhook.batchSize;
  }

  /** Applies the next batch of pending events; `events: 0` means there was nothing to claim. */
  /**
   * Retention: deletes processed events older than `retentionMs`, in bounded batches, so the
   * journal does not grow forever. Flagged (malformed/unknown) payloads are kept.
   */
  async pruneProcessed(retentionMs: number, batch = 10_000, maxBatches = 100): Promise<number> {
    const before = new Date(this.clock.now().getTime() - retentionMs);
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.events.pruneProcessed(before, batch);
      total += n;
      if (n < batch) {
        break;
      }
    }
    return total;
  }

  async processNextBatch(limit = this.batchSize): Promise<WebhookBatchReport> {
    let claimed: ClaimedWebhookEvent[] = [];
    try {
      return await this.db.transaction(async (em) => {
        claimed = await this.events.claim(em, limit);
        return this.apply(em, claimed);
      });
    } catch (e) {
      if (isTransient(e) || claimed.length === 0) {
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
        const report = await this.db.transaction(async (em) =>
          this.apply(em, await this.events.claimIds(em, [event.id])),
        );
        for (const k of Object.keys(total) as (keyof WebhookBatchReport)[]) {
          total[k] += report[k];
        }
      } catch (e) {
        if (isTransient(e)) {
          continue;
        }
        const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(event.attempts, 22));
        const error = e instanceof Error ? e.message : String(e);
        await this.events.recordFailure(
          event.id,
          error,
          new Date(this.clock.now().getTime() + delay),
        );
        this.logger.error({
          message: 'webhook event failed; parked for retry',
          webhookEventId: event.id,
          attempts: event.attempts + 1,
          retryInMs: delay,
          error,
        });
        total.failed += 1;
      }
    }
    return total;
  }

  private async apply(
    em: EntityManager,
    claimed: readonly ClaimedWebhookEvent[],
  ): Promise<WebhookBatchReport> {
    if (claimed.length === 0) {
      return { ...EMPTY };
    }
    const parsed: { id: string; p: ParsedWebhook }[] = claimed.map((c) => ({
      id: c.id,
      p: parseWebhookBody(c.body, c.id, this.rules),
    }));

    const statusEvents = parsed.flatMap((x) => x.p.statuses);
    const transitions = await this.applyStatuses(em, statusEvents);

    const inbound = uniqueBy(
      parsed.flatMap((x) => x.p.inbound),
      (m) => m.wamid,
    );
    const newInbound = await this.items.insertInbound(em, inbound);
    const inboundToDeliver = inbound.filter((m) => newInbound.has(m.wamid));
    if (inboundToDeliver.length > 0) {
      await this.consumers.inboundMessages.onInbound(em, inboundToDeliver);
    }

    const templates = uniqueBy(
      parsed.flatMap((x) => x.p.templateEvents),
      (t) => t.dedupeKey,
    );
    const newTemplates = await this.items.claimKeys(em, 'template', templates);
    const templatesToDeliver = templates.filter((t) => newTemplates.has(t.dedupeKey));
    if (templatesToDeliver.length > 0) {
      await this.consumers.templateEvents.onTemplateEvents(em, templatesToDeliver);
    }

    const prefs = uniqueBy(
      parsed.flatMap((x) => x.p.userPreferences),
      (p) => p.dedupeKey,
    );
    const newPrefs = await this.items.claimKeys(em, 'user_preference', prefs);
    const prefsToDeliver = prefs.filter((p) => newPrefs.has(p.dedupeKey));
    if (prefsToDeliver.length > 0) {
      await this.consumers.userPreferences.onUserPreferences(em, prefsToDeliver);
    }

    await this.events.markProcessed(
      em,
      parsed.map(({ id, p }) => ({
        id,
        malformed: p.malformed,
        unknown: p.unknown,
        itemCount:
          p.statuses.length +
          p.inbound.length +
          p.templateEvents.length +
          p.userPreferences.length +
          p.ignored,
        problems: p.problems.length > 0 ? p.problems.join('; ') : null,
      })),
    );
    return {
      events: claimed.length,
      statuses: statusEvents.length,
      transitions: transitions.length,
      inbound: inboundToDeliver.length,
      templateEvents: templatesToDeliver.length,
      userPreferences: prefsToDeliver.length,
      malformed: parsed.filter((x) => x.p.malformed).length,
      unknown: parsed.filter((x) => x.p.unknown).length,
      failed: 0,
    };
  }

  private async applyStatuses(
    em: EntityManager,
    events: Parameters<typeof mergeStatusEvents>[0],
  ): Promise<StatusTransition[]> {
    if (events.length === 0) {
      return [];
    }
    const applied = await this.statuses.apply(em, mergeStatusEvents(events));
    const transitions = applied
      .map((a) => transitionOf(a.before, a.after))
      .filter((t): t is StatusTransition => t !== null);
    if (transitions.length > 0) {
      await this.consumers.statusTransitions.onTransitions(em, transitions);
    }
    return transitions;
  }
}
