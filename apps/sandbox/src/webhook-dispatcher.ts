import { Agent, request } from 'undici';
import {
  hubSignature,
  type MessagesChangeValue,
  type WebhookChange,
  type WebhookEnvelope,
  type WebhookStatus,
} from '@app/graph-contract';
import type { SandboxSettings } from './sandbox-settings';
import type { SeededRandom } from './sandbox-settings';
import type { TaskScheduler } from './task-scheduler';

export interface SenderMetadata {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

interface Delivery {
  body: Buffer;
  attempts: number;
  statuses: number;
  generation: number;
}

export interface WebhookCounters {
  /** Payloads answered 2xx by the callback. */
  delivered: number;
  /** Statuses inside those payloads. */
  statusesDelivered: number;
  /** Every POST made, first tries and retries. */
  attempts: number;
  /** POSTs answered non-2xx or not answered. */
  failedAttempts: number;
  /** Retries scheduled after a failed attempt. */
  retried: number;
  /** Payloads given up after the last attempt, or refused because the queue was full. */
  dropped: number;
  /** Extra copies sent by the duplicate chaos switch. */
  duplicates: number;
  /** Payloads that had nowhere to go (webhook URL unset). */
  skipped: number;
  /** Payloads carrying more than one status. */
  batched: number;
}

/** Digits of a display number (`+1 555 010 0002` → `15550100002`), as Meta puts it in `metadata`. */
export function displayDigits(display: string): string {
  return display.replace(/\D/g, '');
}

/** The `value` of a `messages` change from a number: its metadata, then the given items. */
export function messagesValue(
  meta: SenderMetadata,
  items: Omit<MessagesChangeValue, 'messaging_product' | 'metadata'>,
): MessagesChangeValue {
  return {
    messaging_product: 'whatsapp',
    metadata: {
      display_phone_number: displayDigits(meta.displayPhoneNumber),
      phone_number_id: meta.phoneNumberId,
    },
    ...items,
  };
}

/**
 * Posts signed webhooks to the configured callback: statuses due in the same tick are batched per
 * number (up to the chaos batch size), payloads go out with bounded concurrency over keep-alive
 * connections, and non-2xx answers are retried with exponential backoff up to a bounded number of
 * attempts — all counted.
 */
export class WebhookDispatcher {
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  private readonly buffered = new Map<
    string,
    { meta: SenderMetadata; statuses: WebhookStatus[] }
  >();
  private queue: Delivery[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private waiting = 0;
  private generation = 0;
  private windowOpen = false;
  counters: WebhookCounters = WebhookDispatcher.zero();

  constructor(
    private readonly settings: () => SandboxSettings,
    private readonly appSecret: string,
    private readonly scheduler: TaskScheduler,
    private readonly random: () => SeededRandom,
  ) {
    scheduler.afterBatch = () => {
      if (!this.windowOpen) {
        this.flushStatuses();
      }
    };
  }

  private static zero(): WebhookCounters {
    return {
      delivered: 0,
      statusesDelivered: 0,
      attempts: 0,
      failedAttempts: 0,
      retried: 0,
      dropped: 0,
      duplicates: 0,
      skipped: 0,
      batched: 0,
    };
  }

  get pending(): number {
    return this.queue.length - this.queueHead + this.inFlight + this.waiting;
  }

  reset(): void {
    this.generation++;
    this.windowOpen = false;
    this.buffered.clear();
    this.queue = [];
    this.queueHead = 0;
    this.inFlight = 0;
    this.waiting = 0;
    this.counters = WebhookDispatcher.zero();
  }

  async close(): Promise<void> {
    this.reset();
    await this.agent.close();
  }

  /** Buffers a status; statuses buffered in the same scheduler tick leave together. */
  status(meta: SenderMetadata, status: WebhookStatus): void {
    const key = meta.phoneNumberId;
    const windowMs = this.settings().chaos.batchWindowMs;
    if (windowMs > 0 && !this.windowOpen) {
      this.windowOpen = true;
      const gen = this.generation;
      this.scheduler.after(windowMs, () => {
        if (gen === this.generation) {
          this.windowOpen = false;
        }
      });
    }
    let b = this.buffered.get(key);
    if (!b) {
      b = { meta, statuses: [] };
      this.buffered.set(key, b);
    }
    b.statuses.push(status);
  }

  /**
   * Sends any non-status change (inbound messages, template updates, user preferences, link
   * clicks) on its own; `copies` > 1 delivers the same payload again, as Meta's redelivery does.
   */
  change(
    wabaId: string,
    change: WebhookChange,
    withTime: boolean,
    nowMs: number,
    copies = 1,
  ): void {
    const envelope: WebhookEnvelope = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: wabaId,
          ...(withTime ? { time: Math.floor(nowMs / 1000) } : {}),
          changes: [change],
        },
      ],
    };
    for (let i = 0; i < copies; i++) {
      this.enqueue(envelope, 0);
    }
  }

  flushStatuses(): void {
    if (this.buffered.size === 0) {
      return;
    }
    const max = Math.max(1, Math.floor(this.settings().chaos.maxStatusesPerPayload));
    for (const { meta, statuses } of this.buffered.values()) {
      for (let i = 0; i < statuses.length; i += max) {
        const chunk = statuses.slice(i, i + max);
        if (chunk.length > 1) {
          this.counters.batched++;
        }
        this.enqueue(
          {
            object: 'whatsapp_business_account',
            entry: [
              {
                id: meta.wabaId,
                changes: [{ field: 'messages', value: messagesValue(meta, { statuses: chunk }) }],
              },
            ],
          },
          chunk.length,
        );
      }
    }
    this.buffered.clear();
  }

  private enqueue(envelope: WebhookEnvelope, statuses: number): void {
    const s = this.settings();
    if (!s.webhookUrl) {
      this.counters.skipped++;
      return;
    }
    const body = Buffer.from(JSON.stringify(envelope));
    const copies = this.random().chance(s.chaos.duplicateRate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      if (this.queue.length - this.queueHead >= s.webhookDelivery.maxQueued) {
        this.counters.dropped++;
        continue;
      }
      if (c > 0) {
        this.counters.duplicates++;
      }
      this.queue.push({ body, attempts: 0, statuses, generation: this.generation });
    }
    this.pump();
  }

  private pump(): void {
    const s = this.settings();
    while (this.inFlight < s.webhookDelivery.concurrency && this.queueHead < this.queue.length) {
      const d = this.queue[this.queueHead++] as Delivery;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      this.inFlight++;
      void this.post(d, s);
    }
  }

  private async post(d: Delivery, s: SandboxSettings): Promise<void> {
    d.attempts++;
    this.counters.attempts++;
    let ok = false;
    try {
      if (!s.webhookUrl) {
        throw new Error('no webhook URL');
      }
      const res = await request(s.webhookUrl, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': hubSignature(d.body, this.appSecret),
        },
        body: d.body,
        headersTimeout: s.webhookDelivery.timeoutMs,
        bodyTimeout: s.webhookDelivery.timeoutMs,
      });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      ok = false;
    }
    if (d.generation !== this.generation) {
      return; // reset happened meanwhile: this delivery belongs to a forgotten world
    }
    this.inFlight--;
    if (ok) {
      this.counters.delivered++;
      this.counters.statusesDelivered += d.statuses;
    } else {
      this.counters.failedAttempts++;
      if (d.attempts < s.webhookDelivery.maxAttempts) {
        this.counters.retried++;
        this.waiting++;
        const gen = this.generation;
        this.scheduler.after(s.webhookDelivery.retryBaseMs * 2 ** (d.attempts - 1), () => {
          if (gen !== this.generation) {
            return;
          }
          this.waiting--;
          this.queue.push(d);
          this.pump();
        });
      } else {
        this.counters.dropped++;
      }
    }
    this.pump();
  }
}
