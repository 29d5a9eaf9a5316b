import { Injectable } from '@nestjs/common';
import { type WorkspaceId } from '@app/common';
import { BusinessAccountsService } from '@app/accounts';
import { queryRows } from '@app/db';
import { ThroughputGovernor } from '@app/governor';
import { GraphApiError, GraphClient } from '@app/graph-client';
import { normalizePhone } from '@app/audiences';
import { boundFields, renderTemplate, TemplatesService } from '@app/templates';
import { CampaignsRepository, skipReasonSql } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CampaignInvalidError } from './campaigns.errors';
import { isUsRecipient } from './campaign-sender';
import { estimateCost, estimatePlan, type RateCardEntry } from './domain/plan';
import type { CampaignPlan, TestSendResult } from './campaigns.types';

/** `GET /plan` (what a launch would do) and `POST /test` (a few real sends outside the counts). */
@Injectable()
export class CampaignPlanner {
  constructor(
    private readonly service: CampaignsService,
    private readonly campaigns: CampaignsRepository,
    private readonly templates: TemplatesService,
    private readonly accounts: BusinessAccountsService,
    private readonly governor: ThroughputGovernor,
    private readonly graph: GraphClient,
  ) {}

  async plan(ws: WorkspaceId, id: string): Promise<CampaignPlan> {
    const campaign = await this.service.get(ws, id);
    const phone = await this.accounts.getPhoneNumber(ws, campaign.phoneNumberId);
    const account = await this.accounts.get(ws, phone.businessAccountId);
    const paths = boundFields(campaign.parameters).map((f) => f.split('.'));
    // One pass over the audience: the same eligibility rules as the snapshot, grouped.
    const rows = await queryRows<{ reason: string | null; calling_code: string | null; n: string }>(
      this.campaigns.db,
      `WITH judged AS (
         SELECT c.phone,
                ${skipReasonSql('$2')} AS reason
           FROM audience_members m JOIN contacts c ON c.id = m.contact_id
          WHERE m.audience_id = $1
       )
       SELECT j.reason, rc.calling_code, count(*) AS n
         FROM judged j
         LEFT JOIN LATERAL (SELECT calling_code FROM rate_cards WHERE j.phone LIKE '+' || calling_code || '%'
                            ORDER BY length(calling_code) DESC LIMIT 1) rc ON j.reason IS NULL
        GROUP BY j.reason, rc.calling_code`,
      [campaign.audienceId, JSON.stringify(paths)],
    );
    const skipped: Record<string, number> = {};
    const byCode = new Map<string | null, number>();
    let eligible = 0;
    let audienceSize = 0;
    for (const r of rows) {
      const n = Number(r.n);
      audienceSize += n;
      if (r.reason) {
        skipped[r.reason] = (skipped[r.reason] ?? 0) + n;
      } else {
        eligible += n;
        byCode.set(r.calling_code, (byCode.get(r.calling_code) ?? 0) + n);
      }
    }
    // US (+1) numbers get no marketing templates (MMLITE §1.8); tell them apart from Canada et al.
    const plusOne = await queryRows<{ phone: string }>(
      this.campaigns.db,
      `SELECT c.phone FROM audience_members m JOIN contacts c ON c.id = m.contact_id
        WHERE m.audience_id = $1 AND c.phone LIKE '+1%' AND c.consent_status = 'opted_in'`,
      [campaign.audienceId],
    );
    const us = plusOne.filter((p) => isUsRecipient(p.phone)).length;
    if (us > 0) {
      skipped.us_recipient = us;
      eligible -= us;
      byCode.set('1', Math.max(0, (byCode.get('1') ?? 0) - us));
    }
    const card = await queryRows<{
      calling_code: string;
      currency: string;
      marketing_rate: string;
    }>(this.campaigns.db, `SELECT calling_code, currency, marketing_rate FROM rate_cards`);
    const rateCard: RateCardEntry[] = card.map((c) => ({
      callingCode: c.calling_code,
      currency: c.currency,
      marketingRate: Number(c.marketing_rate),
    }));
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
      cost: estimateCost(byCode, rateCard),
    };
  }

  /** Sends the rendered message to a few numbers; the campaign's counts and ledger stay untouched. */
  async testSend(ws: WorkspaceId, id: string, phones: string[]): Promise<TestSendResult[]> {
    const campaign = await this.service.get(ws, id);
    const template = await this.templates.get(ws, campaign.templateId);
    const phone = await this.accounts.getPhoneNumber(ws, campaign.phoneNumberId);
    const token = await this.accounts.accessToken(ws, phone.businessAccountId);
    const out: TestSendResult[] = [];
    for (const raw of phones) {
      const normalized = normalizePhone(raw, null);
      if (!normalized.ok) {
        throw new CampaignInvalidError([
          { field: 'phones', message: `${raw}: ${normalized.reason}` },
        ]);
      }
      const e164 = normalized.e164;
      if (isUsRecipient(e164)) {
        out.push({ phone: e164, ok: false, skipReason: 'us_recipient' });
        continue;
      }
      const contact = await queryRows<{
        attributes: Record<string, unknown>;
        locale: string | null;
        timezone: string | null;
      }>(
        this.campaigns.db,
        `SELECT attributes, locale, timezone FROM contacts WHERE workspace_id = $1 AND phone = $2`,
        [ws, e164],
      );
      const rendered = renderTemplate(template, campaign.parameters, {
        phone: e164,
        locale: contact[0]?.locale ?? null,
        timezone: contact[0]?.timezone ?? null,
        attributes: contact[0]?.attributes ?? {},
      });
      if (!rendered.ok) {
        out.push({ phone: e164, ok: false, skipReason: `missing_attribute:${rendered.attribute}` });
        continue;
      }
      const to = e164.replace(/^\+/, '');
      const pair = await this.governor.takePairTokens(phone.phoneNumberId, [to]);
      if (pair[0] && !pair[0].allowed) {
        out.push({ phone: e164, ok: false, skipReason: 'pair_rate_limited' });
        continue;
      }
      const grant = await this.governor.reserveSlots(phone.phoneNumberId, phone.throughputMps, 1);
      const slot = grant.slots[0] ?? grant.retryAtMs;
      await new Promise((r) => setTimeout(r, Math.max(0, slot - Date.now())));
      try {
        const res = await this.graph.sendMarketingMessage(phone.phoneNumberId, token, {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to,
          type: 'template',
          template: {
            name: template.name,
            language: { code: template.language },
            components: rendered.components,
          },
          product_policy: 'STRICT',
          biz_opaque_callback_data: `test:${campaign.id}`,
        });
        out.push({ phone: e164, ok: true, wamid: res.wamid });
      } catch (e) {
        if (!(e instanceof GraphApiError)) {
          throw e;
        }
        out.push({ phone: e164, ok: false, error: { code: e.code, message: e.message } });
      }
    }
    return out;
  }
}
