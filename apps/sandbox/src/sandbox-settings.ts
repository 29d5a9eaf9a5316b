import type { GraphTemplateRejectionReason } from '@app/graph-contract';
import { metaWire, offWire, wireProblems, type WireSettings } from './wire';

/** A rule that makes the sandbox reject a submitted template (`match` is a case-insensitive regex). */
export interface RejectionRule {
  /** What the regex is tested against: the template name, its body text, or either. */
  field: 'name' | 'body' | 'any';
  match: string;
  reason: GraphTemplateRejectionReason;
  /** Text of `rejection_info.reason` in the webhook. */
  detail?: string;
}

/**
 * Everything tests and the demo can tune through `PATCH /_sandbox/settings`. Delays are plain
 * milliseconds (tests set them small); probabilities are 0–1 and drawn from a seeded generator.
 */
export interface SandboxSettings {
  /** Where webhooks go; null turns webhook delivery off (events are counted as skipped). */
  webhookUrl: string | null;
  /** Seed of the random generator behind every probability (same seed, same outcomes). */
  seed: number;
  delays: {
    sentMs: number;
    deliveredMs: number;
    readMs: number;
    failedMs: number;
    replyMs: number;
    templateReviewMs: number;
  };
  probabilities: {
    delivered: number;
    read: number;
    /** Per-user marketing cap (131049) drawn for any marketing send. */
    perUserCap: number;
    /** 131026 drawn for any send. */
    undeliverable: number;
    /** After a read: the user answers "STOP". */
    stopReply: number;
    /** After a read: the user taps the template's first quick-reply button. */
    buttonReply: number;
    /** After a read: the user clicks a URL button (counted in template analytics). */
    urlClick: number;
    /** After a URL click: a website purchase is attributed to the template. */
    conversion: number;
  };
  chaos: {
    /** Probability that a webhook POST is delivered twice. */
    duplicateRate: number;
    /** Probability that a message's `read` is sent before its `delivered`. */
    outOfOrderRate: number;
    /** Statuses due together are batched into one payload, up to this many (1 = one per POST). */
    maxStatusesPerPayload: number;
    /** How long statuses wait to be batched together (0 = only those due in the same tick). */
    batchWindowMs: number;
  };
  webhookDelivery: {
    /** Attempts per payload before it is dropped (Meta retries for days; the sandbox stays bounded). */
    maxAttempts: number;
    /** First retry delay, doubled on each further attempt. */
    retryBaseMs: number;
    concurrency: number;
    timeoutMs: number;
    /** Payloads waiting beyond this are dropped and counted, so memory stays bounded. */
    maxQueued: number;
  };
  pairRate: { burst: number; intervalMs: number };
  /** How send requests are answered on the wire (see wire.ts); all zero answers at once. */
  wire: WireSettings;
  templateRules: { rejections: RejectionRule[] };
  /** Read/click rate benchmarks (percent, as Meta's strings) for templates without their own. */
  benchmarks: { readRate: number; clickRate: number };
  /** Cost of one delivered message per pricing category (currency units), for analytics `cost`. */
  pricing: Record<string, number>;
  /** Value of one sandbox-made purchase conversion. */
  conversionValue: number;
  /** Recipients whose accepted count is kept (exactly-once evidence); beyond it only totals grow. */
  maxTrackedRecipients: number;
  /** Recent accepted sends kept for `GET /_sandbox/messages`. */
  maxRecentMessages: number;
}

export function defaultSettings(
  webhookUrl: string | null,
  latency: 'meta' | 'off' = 'meta',
): SandboxSettings {
  return {
    webhookUrl,
    seed: 42,
    delays: {
      sentMs: 20,
      deliveredMs: 200,
      readMs: 1000,
      failedMs: 100,
      replyMs: 500,
      templateReviewMs: 2000,
    },
    probabilities: {
      delivered: 0.95,
      read: 0.6,
      perUserCap: 0.01,
      undeliverable: 0,
      stopReply: 0.01,
      buttonReply: 0.03,
      urlClick: 0.1,
      conversion: 0.2,
    },
    chaos: { duplicateRate: 0, outOfOrderRate: 0, maxStatusesPerPayload: 1, batchWindowMs: 0 },
    webhookDelivery: {
      maxAttempts: 6,
      retryBaseMs: 250,
      concurrency: 32,
      timeoutMs: 5000,
      maxQueued: 200_000,
    },
    pairRate: { burst: 45, intervalMs: 6000 },
    wire: latency === 'meta' ? metaWire() : offWire(),
    templateRules: { rejections: [] },
    benchmarks: { readRate: 70.27, clickRate: 18.74 },
    pricing: {
      marketing: 0.025,
      marketing_lite: 0.025,
      utility: 0.004,
      authentication: 0.004,
      service: 0,
    },
    conversionValue: 25,
    maxTrackedRecipients: 2_000_000,
    maxRecentMessages: 10_000,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges a partial update into the settings, refusing unknown keys and wrong types so a typo in
 * a test does not silently leave a default in place. Returns the problems found (nothing is changed
 * when there is any).
 */
export function mergeSettings(current: SandboxSettings, patch: unknown): string[] {
  const problems: string[] = [];
  const check = (target: Record<string, unknown>, p: unknown, path: string): void => {
    if (!isPlainObject(p)) {
      problems.push(`${path || 'body'} must be an object`);
      return;
    }
    for (const [k, v] of Object.entries(p)) {
      const here = path ? `${path}.${k}` : k;
      if (!(k in target)) {
        // `pricing` is an open map of category → rate.
        if (path === 'pricing' && typeof v === 'number' && v >= 0) {
          continue;
        }
        problems.push(`${here} is not a setting`);
        continue;
      }
      const cur = target[k];
      if (k === 'webhookUrl') {
        if (v !== null && (typeof v !== 'string' || !/^https?:\/\//.test(v))) {
          problems.push(`${here} must be an http(s) URL or null`);
        }
      } else if (k === 'rejections') {
        if (!Array.isArray(v) || !v.every(isRule)) {
          problems.push(`${here} must be a list of {field,match,reason}`);
        }
      } else if (typeof cur === 'number') {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          problems.push(`${here} must be a non-negative number`);
        } else if (path === 'probabilities' || path === 'wire' || k.endsWith('Rate')) {
          if (path !== 'benchmarks' && v > 1) {
            problems.push(`${here} must be between 0 and 1`);
          }
        }
      } else if (isPlainObject(cur)) {
        check(cur, v, here);
      }
    }
  };
  check(current as unknown as Record<string, unknown>, patch, '');
  if (problems.length > 0) {
    return problems;
  }
  const wirePatch = (patch as { wire?: { latencyMs?: Partial<WireSettings['latencyMs']> } }).wire;
  if (wirePatch?.latencyMs) {
    problems.push(...wireProblems({ ...current.wire.latencyMs, ...wirePatch.latencyMs }));
    if (problems.length > 0) {
      return problems;
    }
  }
  const apply = (target: Record<string, unknown>, p: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(p)) {
      const cur = target[k];
      if (isPlainObject(cur) && isPlainObject(v)) {
        apply(cur, v);
      } else {
        target[k] = v;
      }
    }
  };
  apply(current as unknown as Record<string, unknown>, patch as Record<string, unknown>);
  return [];
}

function isRule(v: unknown): v is RejectionRule {
  if (!isPlainObject(v)) {
    return false;
  }
  if (!['name', 'body', 'any'].includes(v.field as string) || typeof v.reason !== 'string') {
    return false;
  }
  if (typeof v.match !== 'string') {
    return false;
  }
  try {
    new RegExp(v.match, 'i');
    return true;
  } catch {
    return false;
  }
}

/** Small fast seeded generator (mulberry32): reproducible outcomes for a given seed. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return p > 0 && (p >= 1 || this.next() < p);
  }
}
