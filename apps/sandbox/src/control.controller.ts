import { toWaId } from '@app/common';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  CONVERSION_METRICS,
  type LinkClickComponent,
  type GraphQualityScore,
  type GraphTemplateCategory,
  type GraphTemplateRejectionReason,
  type GraphTemplateStatus,
} from '@app/graph-contract';
import { bsuidOf } from './bsuid';
import { SandboxGraphError } from './graph-error';
import { parseWamid } from './message-lifecycle';
import { DAY_MS } from './sandbox-state';
import { SandboxRuntime } from './sandbox-runtime';
import { mergeSettings, type SandboxSettings } from './sandbox-settings';
import type {
  InjectedError,
  PhoneNumberInput,
  ProductType,
  SandboxTemplate,
  WabaInput,
} from './sandbox-state';

/** `marketing_messages_onboarding_status` values (§1.7); only ONBOARDED sends through MM. */
const MM_ONBOARDING_STATUSES = [
  'INELIGIBLE_ON_BEHALF_OF_WABA',
  'INELIGIBLE_INACTIVE_OR_RESTRICTED',
  'INELIGIBLE_COUNTRY_NOT_SUPPORTED',
  'INELIGIBLE_USING_WHATSAPP_BUSINESS_APP',
  'ELIGIBLE',
  'PENDING_VALID_PAYMENT_METHOD',
  'PENDING_INTERNAL_SETUP',
  'ONBOARDED',
];
import {
  QUALITY_SCORES,
  TEMPLATE_STATUSES,
  TemplateRegistry,
  type TemplateInput,
} from './template-registry';

function bad(details: string): SandboxGraphError {
  return SandboxGraphError.invalidParameter(details);
}

function digits(phone: unknown): string {
  if (typeof phone !== 'string' || !/^\+?\d{6,15}$/.test(phone)) {
    throw bad(`'${String(phone)}' is not a phone number`);
  }
  return toWaId(phone);
}

function countsOf(m: Map<number, number>): Record<string, number> {
  return Object.fromEntries(
    [...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]),
  );
}

/** `/_sandbox/...`: how tests and the demo shape what the sandbox holds and read what it saw. */
@Controller('_sandbox')
export class ControlController {
  constructor(
    @Inject(SandboxRuntime) private readonly rt: SandboxRuntime,
    @Inject(TemplateRegistry) private readonly registry: TemplateRegistry,
  ) {}

  private template(id: string): SandboxTemplate {
    const t = this.rt.state.templates.get(id);
    if (!t) {
      throw SandboxGraphError.unknownObject(id);
    }
    return t;
  }

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): { status: 'reset' } {
    this.rt.reset();
    return { status: 'reset' };
  }

  @Post('wabas')
  upsertWaba(@Body() body: WabaInput): { id: string; phoneNumbers: string[] } {
    if (!body || typeof body.id !== 'string' || typeof body.accessToken !== 'string') {
      throw bad('id and accessToken are required');
    }
    const waba = this.rt.state.upsertWaba(body);
    return { id: waba.id, phoneNumbers: [...waba.phoneNumbers.keys()] };
  }

  /**
   * A WABA's MM onboarding status (`marketing_messages_onboarding_status`, §1.7: only ONBOARDED
   * sends through MM) and its Cloud API kill switch (`disable_marketing_messages_on_cloud_api`).
   */
  @Patch('wabas/:id')
  patchWaba(
    @Param('id') id: string,
    @Body() body: { mmOnboardingStatus?: string; disableMarketingOnCloudApi?: boolean },
  ): { id: string; mmOnboardingStatus: string; disableMarketingOnCloudApi: boolean } {
    const waba = this.rt.state.wabas.get(id);
    if (!waba) {
      throw SandboxGraphError.unknownObject(id);
    }
    if (body?.mmOnboardingStatus !== undefined) {
      if (!MM_ONBOARDING_STATUSES.includes(body.mmOnboardingStatus)) {
        throw bad(`mmOnboardingStatus must be one of ${MM_ONBOARDING_STATUSES.join(', ')}`);
      }
      waba.mmOnboardingStatus = body.mmOnboardingStatus;
    }
    if (body?.disableMarketingOnCloudApi !== undefined) {
      if (typeof body.disableMarketingOnCloudApi !== 'boolean') {
        throw bad('disableMarketingOnCloudApi must be a boolean');
      }
      waba.disableMarketingOnCloudApi = body.disableMarketingOnCloudApi;
    }
    return {
      id,
      mmOnboardingStatus: waba.mmOnboardingStatus,
      disableMarketingOnCloudApi: waba.disableMarketingOnCloudApi,
    };
  }

  /**
   * Makes the next `count` sends (from `phoneNumberId`, to `endpoint`, when given) answer Meta's
   * error `code` (131063, 134101, 134102, 132018, …) instead of being accepted. `DELETE` clears.
   */
  @Post('errors')
  @HttpCode(200)
  injectError(
    @Body()
    body: {
      code: number;
      count?: number;
      phoneNumberId?: string;
      endpoint?: string;
      to?: string;
    },
  ): { pending: InjectedError[] } {
    if (!body || !Number.isInteger(body.code) || body.code <= 0) {
      throw bad('code must be a Graph error code');
    }
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
      throw bad('count must be a positive integer');
    }
    if (
      body.endpoint !== undefined &&
      body.endpoint !== 'messages' &&
      body.endpoint !== 'marketing_messages'
    ) {
      throw bad("endpoint must be 'messages' or 'marketing_messages'");
    }
    if (body.to !== undefined && (typeof body.to !== 'string' || !/^\+?\d{6,15}$/.test(body.to))) {
      throw bad('to must be a phone number');
    }
    this.rt.state.injectedErrors.push({
      code: body.code,
      remaining: count,
      phoneNumberId: body.phoneNumberId ?? null,
      endpoint: body.endpoint ?? null,
      to: body.to === undefined ? null : toWaId(body.to),
    });
    return { pending: this.rt.state.injectedErrors };
  }

  @Delete('errors')
  clearErrors(): { pending: InjectedError[] } {
    this.rt.state.injectedErrors = [];
    return { pending: [] };
  }

  /** Revokes an access token of a WABA: calls with it answer 190 from then on. */
  @Post('wabas/:id/revoke-token')
  @HttpCode(200)
  revokeToken(
    @Param('id') id: string,
    @Body() body: { accessToken: string },
  ): { id: string; revoked: boolean } {
    const waba = this.rt.state.wabas.get(id);
    if (!waba || typeof body?.accessToken !== 'string') {
      throw bad('a known WABA id and accessToken are required');
    }
    return { id, revoked: waba.accessTokens.delete(body.accessToken) };
  }

  /** Throughput (mps), quality, messaging limit or display number of one number. */
  @Patch('phone-numbers/:id')
  patchPhone(
    @Param('id') id: string,
    @Body() body: Omit<PhoneNumberInput, 'id'>,
  ): Record<string, unknown> {
    const s = this.rt.state;
    const phone = s.phoneNumbers.get(id);
    const waba = phone ? s.wabas.get(phone.wabaId) : undefined;
    if (!phone || !waba) {
      throw SandboxGraphError.unknownObject(id);
    }
    if (
      body?.throughputMps !== undefined &&
      (!Number.isInteger(body.throughputMps) || body.throughputMps < 1)
    ) {
      throw bad('throughputMps must be a positive integer');
    }
    const p = s.upsertPhoneNumber(waba, { ...body, id });
    return {
      id: p.id,
      throughputMps: p.throughputMps,
      throughputLevel: p.throughputLevel,
      qualityRating: p.qualityRating,
      messagingLimitTier: p.messagingLimitTier,
    };
  }

  @Get('settings')
  settings(): SandboxSettings {
    return this.rt.state.settings;
  }

  @Patch('settings')
  patchSettings(@Body() body: unknown): SandboxSettings {
    const s = this.rt.state;
    const seed = s.settings.seed;
    const problems = mergeSettings(s.settings, body);
    if (problems.length > 0) {
      throw bad(problems.join('; '));
    }
    s.settingsChanged(s.settings.seed !== seed);
    return s.settings;
  }

  /** Seeds a template directly in a status (APPROVED by default), without review. */
  @Post('templates')
  seedTemplate(
    @Body()
    body: TemplateInput & {
      wabaId?: string;
      status?: GraphTemplateStatus;
      benchmark?: { readRate: number; clickRate: number };
    },
  ): Record<string, unknown> {
    const s = this.rt.state;
    const waba = s.wabas.get(body?.wabaId ?? [...s.wabas.keys()][0] ?? '');
    if (!waba) {
      throw bad('unknown wabaId');
    }
    const status = body.status ?? 'APPROVED';
    if (!TEMPLATE_STATUSES.includes(status)) {
      throw bad(`status must be one of ${TEMPLATE_STATUSES.join(', ')}`);
    }
    const t = this.registry.create(waba, body, { status });
    if (body.benchmark) {
      t.benchmark = this.benchmark(body.benchmark);
    }
    return {
      id: t.id,
      name: t.name,
      language: t.language,
      category: t.category,
      status: t.status,
      adId: t.adId,
    };
  }

  /** Moves a template to a status (PAUSED, DISABLED, APPROVED, REJECTED, …) with its webhook. */
  @Post('templates/:id/status')
  @HttpCode(200)
  templateStatus(
    @Param('id') id: string,
    @Body() body: { status: GraphTemplateStatus; reason?: GraphTemplateRejectionReason },
  ): { id: string; status: GraphTemplateStatus } {
    const t = this.template(id);
    if (!body || !TEMPLATE_STATUSES.includes(body.status)) {
      throw bad(`status must be one of ${TEMPLATE_STATUSES.join(', ')}`);
    }
    this.registry.setStatus(
      t,
      body.status,
      body.reason ?? (body.status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE'),
    );
    return { id: t.id, status: t.status };
  }

  /** Meta recategorises a template: `impending` (notice only) or `completed` (default). */
  @Post('templates/:id/category')
  @HttpCode(200)
  templateCategory(
    @Param('id') id: string,
    @Body() body: { category: GraphTemplateCategory; phase?: 'impending' | 'completed' },
  ): { id: string; category: string } {
    const t = this.template(id);
    if (!body || !['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(body.category)) {
      throw bad('category must be MARKETING, UTILITY or AUTHENTICATION');
    }
    const phase = body.phase ?? 'completed';
    if (phase !== 'impending' && phase !== 'completed') {
      throw bad("phase must be 'impending' or 'completed'");
    }
    this.registry.recategorise(t, body.category, phase);
    return { id: t.id, category: t.category };
  }

  @Post('templates/:id/quality')
  @HttpCode(200)
  templateQuality(
    @Param('id') id: string,
    @Body() body: { score: GraphQualityScore },
  ): { id: string; score: string } {
    const t = this.template(id);
    if (!body || !QUALITY_SCORES.includes(body.score)) {
      throw bad(`score must be one of ${QUALITY_SCORES.join(', ')}`);
    }
    this.registry.setQuality(t, body.score);
    return { id: t.id, score: t.qualityScore };
  }

  private benchmark(b: unknown): { readRate: number; clickRate: number } {
    const v = b as { readRate?: unknown; clickRate?: unknown } | null;
    const ok = (n: unknown): n is number => typeof n === 'number' && n >= 0 && n <= 100;
    if (!v || !ok(v.readRate) || !ok(v.clickRate)) {
      throw bad('benchmark needs readRate and clickRate in percent (0–100)');
    }
    return { readRate: v.readRate, clickRate: v.clickRate };
  }

  @Put('templates/:id/benchmark')
  templateBenchmark(
    @Param('id') id: string,
    @Body() body: unknown,
  ): { id: string; benchmark: unknown } {
    const t = this.template(id);
    t.benchmark = this.benchmark(body);
    return { id: t.id, benchmark: t.benchmark };
  }

  /** Adds conversions (e.g. WEBSITE_PURCHASES) to a template's analytics for today. */
  @Post('conversions')
  @HttpCode(200)
  conversions(
    @Body() body: { templateId: string; metric: string; value?: number; product?: ProductType },
  ): { templateId: string; metric: string; total: number } {
    const t = this.template(body?.templateId);
    if (!CONVERSION_METRICS.includes(body.metric as never)) {
      throw bad(`metric must be one of ${CONVERSION_METRICS.join(', ')}`);
    }
    const s = this.rt.state;
    const day = s.templateDay(
      t.id,
      body.product ?? 'MARKETING_MESSAGES_API_FOR_WHATSAPP',
      s.clock.nowMs(),
    );
    const total = (day.conversions.get(body.metric) ?? 0) + (body.value ?? 1);
    day.conversions.set(body.metric, total);
    return { templateId: t.id, metric: body.metric, total };
  }

  /**
   * Marks recipients: stopped marketing (131050), undeliverable (131026), capped (131049), in a
   * Meta experiment holdout (130472), offline (phone off: `sent`, never `delivered` while offline;
   * Meta drops what is still waiting at its TTL), or normal. Leaving `offline` brings the phone
   * back: what waits for it and is still within its TTL is delivered at once (`delivered` says how
   * many), the rest was dropped silently.
   */
  @Post('recipients')
  @HttpCode(200)
  recipients(
    @Body()
    body: {
      phones: string[];
      state: 'stopped' | 'undeliverable' | 'capped' | 'holdout' | 'offline' | 'normal';
    },
  ): { updated: number; state: string; delivered: number } {
    if (!body || !Array.isArray(body.phones)) {
      throw bad('phones must be a list');
    }
    const s = this.rt.state;
    const sets = {
      stopped: s.stopped,
      undeliverable: s.undeliverable,
      capped: s.capped,
      holdout: s.holdout,
      offline: s.offline,
    };
    if (body.state !== 'normal' && !(body.state in sets)) {
      throw bad('state must be stopped, undeliverable, capped, holdout, offline or normal');
    }
    const phones = body.phones.map(digits);
    let delivered = 0;
    for (const p of phones) {
      if (body.state !== 'offline' && s.offline.has(p)) {
        delivered += this.rt.lifecycle.online(p);
      }
      for (const set of Object.values(sets)) {
        set.delete(p);
      }
      if (body.state !== 'normal') {
        sets[body.state].add(p);
      }
    }
    return { updated: phones.length, state: body.state, delivered };
  }

  /**
   * Makes a user write to a number: `wamid` replies to that message (its sender number and recipient
   * are taken from it), `text` or `button` ({payload?, text}) is what they send.
   */
  @Post('replies')
  @HttpCode(200)
  reply(
    @Body()
    body: {
      wamid?: string;
      from?: string;
      phoneNumberId?: string;
      text?: string;
      button?: { payload?: string; text: string };
      /** A username user: the webhook names them by BSUID only (no `from`, no `wa_id`). */
      bsuidOnly?: boolean;
    },
  ): { id: string; userId: string } {
    const s = this.rt.state;
    const info = body?.wamid ? parseWamid(body.wamid) : null;
    if (body?.wamid && !info) {
      throw bad('wamid was not issued by this sandbox');
    }
    const phone = s.phoneNumbers.get(info?.phoneNumberId ?? body?.phoneNumberId ?? '');
    if (!phone) {
      throw bad('phoneNumberId (or a wamid) of a known number is required');
    }
    const from = body.from ? digits(body.from) : info?.recipient;
    if (!from) {
      throw bad('from is required without a wamid');
    }
    let id: string;
    if (body.button && typeof body.button.text === 'string') {
      id = this.rt.lifecycle.reply(
        phone,
        from,
        body.wamid ?? null,
        { button: { payload: body.button.payload ?? body.button.text, text: body.button.text } },
        body.bsuidOnly === true,
      );
      if (info?.templateId) {
        const t = s.templates.get(info.templateId);
        if (t) {
          this.rt.lifecycle.click(
            s.templateDay(t.id, info.product, s.clock.nowMs()),
            'quick_reply_button',
            body.button.text,
          );
        }
      }
    } else if (typeof body.text === 'string' && body.text !== '') {
      id = this.rt.lifecycle.reply(
        phone,
        from,
        body.wamid ?? null,
        { text: body.text },
        body.bsuidOnly === true,
      );
    } else {
      throw bad('text or button is required');
    }
    return { id, userId: bsuidOf(from) };
  }

  /**
   * The user stops or resumes marketing messages (§8): a `user_preferences` webhook, or with
   * `shape: 'system'` the other shape Meta uses, a `messages` system message of type
   * `user_preference_changed` (MMLITE-2026 row 17). `bsuidOnly` names the user by BSUID only.
   */
  @Post('user-preferences')
  @HttpCode(200)
  userPreferences(
    @Body()
    body: {
      waId: string;
      value: 'stop' | 'resume';
      phoneNumberId?: string;
      shape?: 'user_preferences' | 'system';
      bsuidOnly?: boolean;
    },
  ): { waId: string; userId: string; value: string } {
    const s = this.rt.state;
    const waId = digits(body?.waId);
    if (body.value !== 'stop' && body.value !== 'resume') {
      throw bad("value must be 'stop' or 'resume'");
    }
    const phone = s.phoneNumbers.get(body.phoneNumberId ?? [...s.phoneNumbers.keys()][0] ?? '');
    if (!phone) {
      throw bad('unknown phoneNumberId');
    }
    if (body.shape !== undefined && body.shape !== 'user_preferences' && body.shape !== 'system') {
      throw bad("shape must be 'user_preferences' or 'system'");
    }
    if (body.value === 'stop') {
      s.stopped.add(waId);
    } else {
      s.stopped.delete(waId);
    }
    const userId = bsuidOf(waId);
    const bsuidOnly = body.bsuidOnly === true;
    if (body.shape === 'system') {
      this.rt.lifecycle.systemPreference(phone, waId, body.value, bsuidOnly);
      return { waId, userId, value: body.value };
    }
    this.rt.webhooks.change(
      phone.wabaId,
      {
        field: 'user_preferences',
        value: {
          messaging_product: 'whatsapp',
          metadata: {
            display_phone_number: phone.displayPhoneNumber.replace(/\D/g, ''),
            phone_number_id: phone.id,
          },
          contacts: [bsuidOnly ? { user_id: userId } : { wa_id: waId, user_id: userId }],
          user_preferences: [
            {
              ...(bsuidOnly ? {} : { wa_id: waId }),
              user_id: userId,
              detail:
                body.value === 'stop'
                  ? 'User requested to stop marketing messages'
                  : 'User requested to resume marketing messages',
              category: 'marketing_messages',
              value: body.value,
              timestamp: Math.floor(s.clock.nowMs() / 1000),
            },
          ],
        },
      },
      false,
      s.clock.nowMs(),
    );
    return { waId, userId, value: body.value };
  }

  /**
   * The user clicks a link in a sent marketing message (MMLITE §4.7): a signed `user_actions`
   * webhook `marketing_messages_link_click` from the message's number, carrying the tracking token
   * the engine sent with it (its `biz_opaque_callback_data`; `trackingToken` overrides it, `null`
   * sends none) — and, as at Meta, no wamid and no recipient. Only for messages sent in the last 7
   * days. `copies` > 1 delivers the same payload again (Meta's redelivery).
   */
  @Post('clicks')
  @HttpCode(200)
  linkClick(
    @Body()
    body: {
      wamid: string;
      component?: LinkClickComponent;
      clickId?: string;
      productId?: string;
      trackingToken?: string | null;
      copies?: number;
    },
  ): { clickId: string; trackingToken: string | null } {
    const s = this.rt.state;
    const info = typeof body?.wamid === 'string' ? parseWamid(body.wamid) : null;
    const phone = info ? s.phoneNumbers.get(info.phoneNumberId) : undefined;
    if (!info || !phone) {
      throw bad('wamid of a message sent by this sandbox is required');
    }
    const component = body.component ?? 'cta';
    if (component !== 'cta' && component !== 'body') {
      throw bad("component must be 'cta' or 'body'");
    }
    const copies = body.copies ?? 1;
    if (!Number.isInteger(copies) || copies < 1 || copies > 5) {
      throw bad('copies must be an integer from 1 to 5');
    }
    for (const [k, v] of Object.entries({ clickId: body.clickId, productId: body.productId })) {
      if (v !== undefined && (typeof v !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(v))) {
        throw bad(`${k} must be 1–100 printable characters`);
      }
    }
    const sent = s.recentMessages().find((m) => m.wamid === body.wamid);
    if (body.trackingToken === undefined && !sent) {
      throw bad('not a recent message of this sandbox: give trackingToken');
    }
    const nowMs = s.clock.nowMs();
    if (sent && nowMs - Date.parse(sent.acceptedAt) > 7 * DAY_MS) {
      throw bad('clicks are reported only for messages sent in the last 7 days');
    }
    const trackingToken =
      body.trackingToken === undefined ? (sent?.bizOpaqueCallbackData ?? null) : body.trackingToken;
    if (trackingToken !== null && typeof trackingToken !== 'string') {
      throw bad('trackingToken must be a string or null');
    }
    const clickId = body.clickId ?? `clk.${(++s.wamidSeq).toString(36)}`;
    this.rt.lifecycle.linkClick(
      phone,
      {
        action_type: 'marketing_messages_link_click',
        timestamp: String(Math.floor(nowMs / 1000)),
        marketing_messages_link_click_data: {
          click_component: component,
          ...(body.productId ? { product_id: body.productId } : {}),
          click_id: clickId,
          ...(trackingToken !== null ? { tracking_token: trackingToken } : {}),
        },
      },
      copies,
    );
    return { clickId, trackingToken };
  }

  /** Freezes / moves the clock behind rate limits and timestamps, or gives it back to the system. */
  @Post('clock')
  @HttpCode(200)
  clock(@Body() body: { set?: number | string; advanceMs?: number; system?: boolean }): {
    nowMs: number;
    manual: boolean;
  } {
    const c = this.rt.state.clock;
    if (body?.system) {
      c.useSystem();
    }
    if (body?.set !== undefined) {
      const ms = typeof body.set === 'number' ? body.set : Date.parse(body.set);
      if (!Number.isFinite(ms)) {
        throw bad('set must be epoch ms or an ISO date');
      }
      c.set(ms);
    }
    if (body?.advanceMs !== undefined) {
      if (typeof body.advanceMs !== 'number' || body.advanceMs < 0) {
        throw bad('advanceMs must be a non-negative number');
      }
      c.advance(body.advanceMs);
    }
    return { nowMs: c.nowMs(), manual: c.manual };
  }

  @Get('counters')
  counters(): Record<string, unknown> {
    const s = this.rt.state;
    const now = s.clock.nowMs();
    return {
      phoneNumbers: Object.fromEntries(
        [...s.phoneNumbers.values()].map((p) => [
          p.id,
          {
            throughputMps: p.throughputMps,
            requests: p.arrivals.total,
            accepted: p.accepted,
            maxRequestsInAnyOneSecond: p.arrivals.maxInWindow,
            requestsPerSecond: p.arrivals.series(now).filter((x) => x.count > 0),
          },
        ]),
      ),
      accepted: {
        total: s.acceptedTotal,
        recipients: s.acceptedByRecipient.size,
        repeatAccepts: s.repeatAccepts,
        untracked: s.untrackedAccepts,
      },
      linkFollows: s.linkFollows,
      errors: { sync: countsOf(s.syncErrors), async: countsOf(s.asyncErrors) },
      ttlDropped: s.ttlDropped,
      wire: { ...s.wireCounts },
      webhooks: { ...this.rt.webhooks.counters, pending: this.rt.webhooks.pending },
      pairRateBuckets: s.pairRate.tracked,
      scheduledTasks: this.rt.scheduler.size,
    };
  }

  /** Accepted sends per recipient: `?phones=a,b` for some, else those with at least `minCount`. */
  @Get('counters/recipients')
  recipientCounters(
    @Query('phones') phones: string | undefined,
    @Query('minCount') minCount: string | undefined,
    @Query('limit') limit: string | undefined,
  ): { repeatAccepts: number; recipients: Record<string, number> } {
    const s = this.rt.state;
    const out: Record<string, number> = {};
    if (phones) {
      for (const p of phones.split(',')) {
        const key = toWaId(p.trim());
        out[key] = s.acceptedByRecipient.get(key) ?? 0;
      }
    } else {
      const min = Number(minCount ?? 1);
      const max = Math.min(Number(limit ?? 1000), 100_000);
      for (const [k, v] of s.acceptedByRecipient) {
        if (v >= min) {
          out[k] = v;
          if (Object.keys(out).length >= max) {
            break;
          }
        }
      }
    }
    return { repeatAccepts: s.repeatAccepts, recipients: out };
  }

  /** Recent accepted sends (bounded), newest last; `?to=` filters by recipient. */
  @Get('messages')
  messages(
    @Query('to') to: string | undefined,
    @Query('limit') limit: string | undefined,
  ): { data: unknown[] } {
    const key = to === undefined ? undefined : toWaId(to);
    const all = this.rt.state.recentMessages().filter((m) => !key || m.to === key);
    return { data: all.slice(-Math.min(Number(limit ?? 100), 10_000)) };
  }
}
