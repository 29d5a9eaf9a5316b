import type { AppConfig } from '@app/config';
import type {
  GraphQualityScore,
  GraphTemplateCategory,
  GraphTemplateComponent,
  GraphTemplateRejectionReason,
  GraphTemplateStatus,
} from '@app/graph-contract';
import { ArrivalCounter, PairRateLimiter, SlidingWindowLimiter } from './rate-limits';
import { SandboxClock } from './sandbox-clock';
import { defaultSettings, SeededRandom, type SandboxSettings } from './sandbox-settings';

export interface SandboxPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: GraphQualityScore;
  throughputLevel: 'STANDARD' | 'HIGH';
  /** Messages per second this number accepts before answering 130429. */
  throughputMps: number;
  messagingLimitTier: string;
  limiter: SlidingWindowLimiter;
  arrivals: ArrivalCounter;
  accepted: number;
}

export interface SandboxTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: GraphTemplateCategory;
  status: GraphTemplateStatus;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: GraphTemplateComponent[];
  rejectedReason: GraphTemplateRejectionReason | null;
  qualityScore: GraphQualityScore;
  qualityDateMs: number;
  messageSendTtlSeconds: number | null;
  /** The ad the template is mapped to (MM, §1.5): the path to its insights and benchmarks. */
  adId: string | null;
  /** Benchmarks of this template (percent); null falls back to the settings' default. */
  benchmark: { readRate: number; clickRate: number } | null;
}

export interface SandboxWaba {
  id: string;
  name: string;
  accessTokens: Set<string>;
  phoneNumbers: Map<string, SandboxPhoneNumber>;
  templates: Map<string, SandboxTemplate>;
  /** `marketing_messages_onboarding_status` (§1.7): only ONBOARDED sends through MM Lite. */
  mmOnboardingStatus: string;
  /** `disable_marketing_messages_on_cloud_api` (§1.4): marketing on /messages answers 131063. */
  disableMarketingOnCloudApi: boolean;
}

/** An error the control API told the sandbox to answer for the next `remaining` matching sends. */
export interface InjectedError {
  code: number;
  remaining: number;
  /** Only sends from this number / to this endpoint / to this recipient's digits (null: any). */
  phoneNumberId: string | null;
  endpoint: 'marketing_messages' | 'messages' | null;
  to: string | null;
}

export interface PhoneNumberInput {
  id: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  qualityRating?: GraphQualityScore;
  throughputLevel?: 'STANDARD' | 'HIGH';
  throughputMps?: number;
  messagingLimitTier?: string;
}

export interface WabaInput {
  id: string;
  name?: string;
  accessToken: string;
  mmOnboardingStatus?: string;
  phoneNumbers?: PhoneNumberInput[];
}

export type ProductType = 'CLOUD_API' | 'MARKETING_MESSAGES_API_FOR_WHATSAPP';

/** Daily aggregate of one template on one product: what template analytics and insights report. */
export interface TemplateDay {
  sent: number;
  delivered: number;
  read: number;
  cost: number;
  clicks: Map<string, { type: string; content: string; count: number }>;
  conversions: Map<string, number>;
}

export interface RecentMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  endpoint: 'marketing_messages' | 'messages';
  type: string;
  template: { name: string; language: string; components: unknown } | null;
  bizOpaqueCallbackData: string | null;
  acceptedAt: string;
}

const DAY_MS = 86_400_000;

/** Everything the sandbox knows, in memory; the control API reshapes it for tests and demos. */
export class SandboxState {
  readonly wabas = new Map<string, SandboxWaba>();
  readonly phoneNumbers = new Map<string, SandboxPhoneNumber>();
  /** Template id → template, across WABAs (ids are global in Graph). */
  readonly templates = new Map<string, SandboxTemplate>();
  readonly adToTemplate = new Map<string, string>();
  readonly clock = new SandboxClock();
  settings: SandboxSettings;
  random: SeededRandom;
  /** Draws of the wire (latency, lost answers): its own stream, so they never shift message outcomes. */
  wireRandom: SeededRandom;
  pairRate: PairRateLimiter;
  /** Recipients (digits) marked by the control API. */
  readonly stopped = new Set<string>();
  readonly undeliverable = new Set<string>();
  readonly capped = new Set<string>();
  /** In a Meta marketing experiment's holdout: marketing fails with 130472. */
  readonly holdout = new Set<string>();
  /** Phone off: their messages are `sent`, never `delivered` while they stay offline. */
  readonly offline = new Set<string>();
  /**
   * Messages waiting for an offline recipient to come back (by recipient), with when Meta accepted
   * them: delivered then if their TTL has not run out, else dropped without a webhook (§1.6).
   */
  readonly waitingForRecipient = new Map<
    string,
    Array<{ dropAtMs: number; deliver: () => void }>
  >();
  /** Messages dropped undelivered at their TTL (no webhook says so, as at Meta). */
  ttlDropped = 0;
  /** Sync errors to answer next (`POST /_sandbox/errors`), first match first. */
  injectedErrors: InjectedError[] = [];
  readonly acceptedByRecipient = new Map<string, number>();
  acceptedTotal = 0;
  /** Accepted sends to a recipient that already had one (what exactly-once tests look at). */
  repeatAccepts = 0;
  /** Tracked links the simulated readers opened. */
  linkFollows = 0;
  /** Accepted sends whose recipient could not be tracked any more (over maxTrackedRecipients). */
  untrackedAccepts = 0;
  readonly syncErrors = new Map<number, number>();
  /** What the wire did to answers (see wire.ts). */
  readonly wireCounts = { dropped: 0, timedOut: 0, serverErrors: 0 };
  readonly asyncErrors = new Map<number, number>();
  readonly analytics = new Map<string, TemplateDay>();
  recent: RecentMessage[] = [];
  private recentHead = 0;
  // Sequences start from the wall clock, so ids and wamids stay unique across sandbox restarts
  // (like Meta's): an engine database that outlives a sandbox never sees one twice.
  private idSeq = Date.now() % 10_000_000_000;
  wamidSeq = Date.now() * 100;

  constructor(private readonly config: AppConfig) {
    this.settings = defaultSettings(config.webhook.callbackUrl, config.sandbox.latency);
    this.random = new SeededRandom(this.settings.seed);
    this.wireRandom = new SeededRandom(this.settings.seed ^ 0x5eed);
    this.pairRate = new PairRateLimiter(
      this.settings.pairRate.burst,
      this.settings.pairRate.intervalMs,
    );
    this.reset();
  }

  reset(): void {
    this.wabas.clear();
    this.phoneNumbers.clear();
    this.templates.clear();
    this.adToTemplate.clear();
    this.clock.useSystem();
    this.settings = defaultSettings(this.config.webhook.callbackUrl, this.config.sandbox.latency);
    this.random = new SeededRandom(this.settings.seed);
    this.wireRandom = new SeededRandom(this.settings.seed ^ 0x5eed);
    this.pairRate.configure(this.settings.pairRate.burst, this.settings.pairRate.intervalMs);
    this.pairRate.clear();
    this.stopped.clear();
    this.undeliverable.clear();
    this.capped.clear();
    this.holdout.clear();
    this.offline.clear();
    this.waitingForRecipient.clear();
    this.ttlDropped = 0;
    this.injectedErrors = [];
    this.acceptedByRecipient.clear();
    this.acceptedTotal = 0;
    this.repeatAccepts = 0;
    this.linkFollows = 0;
    this.untrackedAccepts = 0;
    this.syncErrors.clear();
    this.asyncErrors.clear();
    this.wireCounts.dropped = 0;
    this.wireCounts.timedOut = 0;
    this.wireCounts.serverErrors = 0;
    this.analytics.clear();
    this.recent = [];
    this.recentHead = 0;
    this.upsertWaba({
      id: this.config.sandbox.wabaId,
      name: 'Sandbox WABA',
      accessToken: this.config.sandbox.accessToken,
      phoneNumbers: [
        {
          id: this.config.sandbox.phoneNumberId,
          displayPhoneNumber: '+1 555 010 0002',
          verifiedName: 'Sandbox Store',
          throughputMps: 80,
          messagingLimitTier: 'TIER_UNLIMITED',
        },
      ],
    });
  }

  /** Applies settings that live in helper objects after a settings change. */
  settingsChanged(seedChanged: boolean): void {
    this.pairRate.configure(this.settings.pairRate.burst, this.settings.pairRate.intervalMs);
    if (seedChanged) {
      this.random = new SeededRandom(this.settings.seed);
      this.wireRandom = new SeededRandom(this.settings.seed ^ 0x5eed);
    }
  }

  /** A fresh Graph-looking numeric id (16 digits, increasing: newer objects have larger ids). */
  nextId(): string {
    this.idSeq += 1;
    return String(1_200_000_000_000_000 + this.idSeq * 7919);
  }

  upsertWaba(input: WabaInput): SandboxWaba {
    const waba: SandboxWaba = this.wabas.get(input.id) ?? {
      id: input.id,
      name: input.name ?? `WABA ${input.id}`,
      accessTokens: new Set(),
      phoneNumbers: new Map(),
      templates: new Map(),
      mmOnboardingStatus: 'ONBOARDED',
      disableMarketingOnCloudApi: false,
    };
    if (input.name) {
      waba.name = input.name;
    }
    if (input.mmOnboardingStatus) {
      waba.mmOnboardingStatus = input.mmOnboardingStatus;
    }
    waba.accessTokens.add(input.accessToken);
    for (const p of input.phoneNumbers ?? []) {
      this.upsertPhoneNumber(waba, p);
    }
    this.wabas.set(waba.id, waba);
    return waba;
  }

  upsertPhoneNumber(waba: SandboxWaba, p: PhoneNumberInput): SandboxPhoneNumber {
    const existing = this.phoneNumbers.get(p.id);
    const mps = p.throughputMps ?? existing?.throughputMps ?? 80;
    const phone: SandboxPhoneNumber = {
      id: p.id,
      wabaId: waba.id,
      displayPhoneNumber:
        p.displayPhoneNumber ?? existing?.displayPhoneNumber ?? `+1 555 ${p.id.slice(-7)}`,
      verifiedName: p.verifiedName ?? existing?.verifiedName ?? waba.name,
      qualityRating: p.qualityRating ?? existing?.qualityRating ?? 'GREEN',
      throughputLevel:
        p.throughputLevel ??
        (p.throughputMps !== undefined || !existing
          ? mps > 80
            ? 'HIGH'
            : 'STANDARD'
          : existing.throughputLevel),
      throughputMps: mps,
      messagingLimitTier: p.messagingLimitTier ?? existing?.messagingLimitTier ?? 'TIER_UNLIMITED',
      limiter: existing?.limiter ?? new SlidingWindowLimiter(mps),
      arrivals: existing?.arrivals ?? new ArrivalCounter(),
      accepted: existing?.accepted ?? 0,
    };
    if (phone.limiter.capacity !== mps) {
      phone.limiter.resize(mps);
    }
    if (existing && existing.wabaId !== waba.id) {
      this.wabas.get(existing.wabaId)?.phoneNumbers.delete(p.id);
    }
    waba.phoneNumbers.set(p.id, phone);
    this.phoneNumbers.set(p.id, phone);
    return phone;
  }

  addTemplate(t: Omit<SandboxTemplate, 'id' | 'adId'> & { id?: string }): SandboxTemplate {
    const id = t.id ?? this.nextId();
    const template: SandboxTemplate = {
      ...t,
      id,
      adId: t.category === 'MARKETING' ? this.nextId() : null,
    };
    this.wabas.get(t.wabaId)?.templates.set(id, template);
    this.templates.set(id, template);
    if (template.adId) {
      this.adToTemplate.set(template.adId, id);
    }
    return template;
  }

  deleteTemplate(t: SandboxTemplate): void {
    this.wabas.get(t.wabaId)?.templates.delete(t.id);
    this.templates.delete(t.id);
    if (t.adId) {
      this.adToTemplate.delete(t.adId);
    }
  }

  countSyncError(code: number): void {
    this.syncErrors.set(code, (this.syncErrors.get(code) ?? 0) + 1);
  }

  countAsyncError(code: number): void {
    this.asyncErrors.set(code, (this.asyncErrors.get(code) ?? 0) + 1);
  }

  countAccepted(recipient: string, message: RecentMessage): void {
    this.acceptedTotal++;
    const n = this.acceptedByRecipient.get(recipient);
    if (n !== undefined) {
      this.acceptedByRecipient.set(recipient, n + 1);
      this.repeatAccepts++;
    } else if (this.acceptedByRecipient.size < this.settings.maxTrackedRecipients) {
      this.acceptedByRecipient.set(recipient, 1);
    } else {
      this.untrackedAccepts++;
    }
    const max = this.settings.maxRecentMessages;
    if (max <= 0) {
      return;
    }
    if (this.recent.length < max) {
      this.recent.push(message);
    } else {
      this.recent[this.recentHead] = message;
      this.recentHead = (this.recentHead + 1) % this.recent.length;
    }
  }

  /** Recent accepted sends, oldest first. */
  recentMessages(): RecentMessage[] {
    return [...this.recent.slice(this.recentHead), ...this.recent.slice(0, this.recentHead)];
  }

  templateDay(templateId: string, product: ProductType, atMs: number): TemplateDay {
    const day = Math.floor(atMs / DAY_MS) * DAY_MS;
    const key = `${templateId}|${product}|${day}`;
    let d = this.analytics.get(key);
    if (!d) {
      d = { sent: 0, delivered: 0, read: 0, cost: 0, clicks: new Map(), conversions: new Map() };
      this.analytics.set(key, d);
    }
    return d;
  }

  /** Aggregates of one template and product between two instants, one entry per UTC day. */
  templateDays(
    templateId: string,
    product: ProductType,
    startMs: number,
    endMs: number,
  ): Array<{ dayMs: number; day: TemplateDay }> {
    const out: Array<{ dayMs: number; day: TemplateDay }> = [];
    for (let day = Math.floor(startMs / DAY_MS) * DAY_MS; day < endMs; day += DAY_MS) {
      const d = this.analytics.get(`${templateId}|${product}|${day}`);
      if (d) {
        out.push({ dayMs: day, day: d });
      }
    }
    return out;
  }
}

export { DAY_MS };
