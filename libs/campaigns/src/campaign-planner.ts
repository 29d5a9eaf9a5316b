import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, toWaId, type Clock, type WorkspaceId } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { SendGate, ThroughputGovernor } from '@app/governor';
import { GraphApiError, GraphClient, type SendResult } from '@app/graph-client';
import { isUsRecipient, normalizePhone } from '@app/audiences';
import { SegmentsService } from '@app/segments';
import { renderTemplate, TemplatesService, type SendComponent } from '@app/templates';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CampaignInvalidError } from './campaigns.errors';
import { estimateCost, estimatePlan } from './domain/plan';
import { testSize, variantOfRank } from './domain/ab-test';
import { CheckBindings } from './use-cases/check-bindings';
import { cardsInForce, utcDay } from './domain/rate-cards';
import { RateCardsService } from './pricing/rate-cards.service';
import {
  boundPathsOf,
  targetSpecOf,
  type CampaignRecord,
  type CampaignPlan,
  type TestSendResult,
} from './campaigns.types';

/** `GET /plan` (what a launch would do) and `POST /test` (a few real sends outside the counts). */
@Injectable()
export class CampaignPlanner {
  constructor(
    private readonly service: CampaignsService,
    private readonly campaigns: CampaignsRepository,
    private readonly templates: TemplatesService,
    private readonly accounts: BusinessAccountsService,
    private readonly governor: ThroughputGovernor,
    private readonly gate: SendGate,
    private readonly graph: GraphClient,
    private readonly segments: SegmentsService,
    private readonly checkBindings: CheckBindings,
    private readonly rateCards: RateCardsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * What a launch would do now: the target as it resolves now (or as frozen, once the snapshot
   * started), judged by the snapshot's own rule — with the frequency cap as it stands now.
   */
  async plan(ws: WorkspaceId, id: string): Promise<CampaignPlan> {
    const campaign = await this.service.get(ws, id);
    const phone = await this.accounts.getPhoneNumber(ws, campaign.phoneNumberId);
    const account = await this.accounts.get(ws, phone.businessAccountId);
    const now = this.clock.now();
    const rows = await this.campaigns.planTarget(
      {
        campaignId: campaign.id,
        workspaceId: ws,
        filter: campaign.targetFilter ?? (await this.segments.targetOf(ws, targetSpecOf(campaign))),
        referenceAt: campaign.targetReferenceAt ?? now,
        boundPaths: boundPathsOf(campaign),
        holdoutPercent: campaign.holdoutPercent,
      },
      await this.segments.capWindow(ws, now),
    );
    const skipped: Record<string, number> = {};
    const byCode = new Map<string | null, number>();
    let eligible = 0;
    let audienceSize = 0;
    for (const r of rows) {
      audienceSize += r.n;
      if (r.reason) {
        skipped[r.reason] = (skipped[r.reason] ?? 0) + r.n;
      } else {
        eligible += r.n;
        byCode.set(r.callingCode, (byCode.get(r.callingCode) ?? 0) + r.n);
      }
    }
    const limitMps = Math.min(
      phone.throughputMps,
      campaign.throughputMps ?? Number.POSITIVE_INFINITY,
    );
    const rateMps = await this.governor.currentRateMps(phone.phoneNumberId, limitMps);
    const admission = await this.governor.admitRecipients(
      account.wabaId,
      phone.messagingLimitPerDay,
      [],
    );
    const estimate = estimatePlan({
      eligible,
      mps: rateMps,
      messagingLimitRemaining: admission.remaining,
      messagingLimitPerDay: phone.messagingLimitPerDay,
    });
    return {
      eligible,
      skipped,
      audienceSize,
      rateMps: Math.round(rateMps * 10) / 10,
      messagingLimit: {
        perDay: phone.messagingLimitPerDay,
        remaining: admission.remaining,
        fitsNow: estimate.heldByMessagingLimit === 0,
        heldByLimit: estimate.heldByMessagingLimit,
      },
      etaSeconds: estimate.etaSeconds,
      // Priced at the card in force today (UTC), for marketing messages.
      cost: estimateCost(
        byCode,
        cardsInForce(await this.rateCards.list(ws), 'marketing', utcDay(this.clock.now())),
      ),
      abTest: campaign.variants.length > 0 ? splitPlan(campaign, eligible) : null,
      bindings: await this.checkBindings.execute(ws, campaign),
    };
  }

  /**
   * Sends the rendered message to a few numbers through the same gate as a campaign (messaging
   * limit, pair rate, the number's timeline); the campaign's counts and ledger stay untouched.
   */
  async testSend(ws: WorkspaceId, id: string, phones: string[]): Promise<TestSendResult[]> {
    const campaign = await this.service.get(ws, id);
    const template = await this.templates.get(ws, campaign.templateId);
    const phone = await this.accounts.getPhoneNumber(ws, campaign.phoneNumberId);
    const account = await this.accounts.get(ws, phone.businessAccountId);
    const token = await this.accounts.accessToken(ws, account.id);
    const results = new Map<string, TestSendResult>();
    const ready: Array<{ e164: string; components: SendComponent[] }> = [];
    for (const raw of phones) {
      const normalized = normalizePhone(raw, null);
      if (!normalized.ok) {
        throw new CampaignInvalidError([
          { field: 'phones', message: `${raw}: ${normalized.reason}` },
        ]);
      }
      const e164 = normalized.e164;
      if (isUsRecipient(e164)) {
        results.set(e164, { phone: e164, ok: false, skipReason: 'us_recipient' });
        continue;
      }
      const contact = await this.campaigns.contactForRender(ws, e164);
      const rendered = renderTemplate(template, campaign.parameters, {
        phone: e164,
        locale: contact?.locale ?? null,
        timezone: contact?.timezone ?? null,
        attributes: contact?.attributes ?? {},
      });
      if (!rendered.ok) {
        results.set(e164, {
          phone: e164,
          ok: false,
          skipReason:
            rendered.reason === 'missing_attribute'
              ? `missing_attribute:${rendered.attribute}`
              : `invalid_parameter:${rendered.location}`,
        });
        continue;
      }
      ready.push({ e164, components: rendered.components });
    }
    // A slot missed because this process stalled (a loaded machine) is booked again: nothing left,
    // so a retry cannot send twice, and a test send should not fail for the engine's own pause.
    let pending = ready;
    for (let round = 0; round < TEST_SEND_ROUNDS && pending.length > 0; round++) {
      const late: typeof ready = [];
      const d = this.gate.dispatch<(typeof ready)[number], SendResult, never>(
        {
          phoneNumberId: phone.phoneNumberId,
          limitMps: phone.throughputMps,
          portfolioKey: account.wabaId,
          messagingLimitPerDay: phone.messagingLimitPerDay,
        },
        pending.map((r) => ({ item: r, recipient: toWaId(r.e164) })),
        {
          send: (r) =>
            this.graph.sendMarketingMessage(phone.phoneNumberId, token, {
              messaging_product: 'whatsapp',
              recipient_type: 'individual',
              to: toWaId(r.e164),
              type: 'template',
              template: {
                name: template.name,
                language: { code: template.language },
                components: r.components,
              },
              product_policy: 'STRICT',
              biz_opaque_callback_data: `test:${campaign.id}`,
            }),
          gate: (items) => Promise.resolve(items.map(() => 'go' as const)),
          halted: () => false,
          onOutcome: (o) => {
            const e164 = o.item.e164;
            if (o.kind === 'answered') {
              results.set(e164, { phone: e164, ok: true, wamid: o.value.wamid });
            } else if (o.kind === 'held') {
              results.set(e164, {
                phone: e164,
                ok: false,
                skipReason: o.why === 'pair-rate' ? 'pair_rate_limited' : 'messaging_limit',
              });
            } else if (o.kind === 'threw') {
              const e =
                o.error instanceof GraphApiError
                  ? o.error
                  : GraphApiError.transport(String(o.error));
              results.set(e164, {
                phone: e164,
                ok: false,
                error: { code: e.code, message: e.message },
              });
            } else {
              if (o.kind === 'unsent' && o.why === 'late') {
                late.push(o.item);
              }
              results.set(e164, { phone: e164, ok: false, skipReason: 'not_sent' });
            }
          },
        },
      );
      await d.settled;
      pending = late;
    }
    return phones
      .map((raw) => normalizePhone(raw, null))
      .flatMap((n) => (n.ok && results.has(n.e164) ? [results.get(n.e164) as TestSendResult] : []));
  }
}

/** Tries of a test send whose slots were missed (this process stalled past the allowed lateness). */
const TEST_SEND_ROUNDS = 3;

/** How an A/B campaign's eligible recipients split: the test share by variant, and the rest. */
function splitPlan(c: CampaignRecord, eligible: number): NonNullable<CampaignPlan['abTest']> {
  const test = testSize(eligible, c.abTest?.testPercent ?? 100);
  const counts = new Map(c.variants.map((v) => [v.key, 0]));
  const total = c.variants.reduce((sum, v) => sum + v.weight, 0);
  const cycles = Math.floor(test / total);
  for (const v of c.variants) {
    counts.set(v.key, cycles * v.weight);
  }
  for (let r = cycles * total; r < test; r++) {
    const k = variantOfRank(r, c.variants);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return {
    test,
    rest: eligible - test,
    variants: c.variants.map((v) => ({
      key: v.key,
      templateId: v.templateId,
      recipients: counts.get(v.key) ?? 0,
    })),
  };
}
