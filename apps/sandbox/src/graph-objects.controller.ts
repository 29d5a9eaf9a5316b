import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import type {
  GraphPhoneNumber,
  GraphSuccess,
  GraphTemplate,
  MmInsightsResponse,
  TemplateAnalyticsResponse,
} from '@app/graph-contract';
import { adInsights, templateAnalytics } from './analytics';
import { assertToken } from './auth';
import { SandboxGraphError } from './graph-error';
import { SandboxRuntime } from './sandbox-runtime';
import type { SandboxPhoneNumber, SandboxWaba } from './sandbox-state';
import { TemplateRegistry } from './template-registry';

const PHONE_FIELDS = new Set([
  'id',
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'throughput',
  'whatsapp_business_manager_messaging_limit',
  'messaging_limit_tier',
  'status',
  'code_verification_status',
  'name_status',
  'platform_type',
]);

const WABA_FIELDS = new Set([
  'id',
  'name',
  'marketing_messages_onboarding_status',
  'marketing_messages_lite_api_status',
  'currency',
  'timezone_id',
  'message_template_namespace',
]);

function pickFields(
  raw: string | undefined,
  allowed: Set<string>,
  defaults: string[],
  node: string,
): string[] {
  if (!raw) {
    return defaults;
  }
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of fields) {
    if (!allowed.has(f)) {
      throw new SandboxGraphError(
        400,
        100,
        `Tried accessing nonexisting field (${f}) on node type (${node})`,
      );
    }
  }
  return fields.includes('id') ? fields : ['id', ...fields];
}

function renderPhone(p: SandboxPhoneNumber, fields: string[]): GraphPhoneNumber {
  const all: Record<string, unknown> = {
    id: p.id,
    display_phone_number: p.displayPhoneNumber,
    verified_name: p.verifiedName,
    quality_rating: p.qualityRating,
    throughput: { level: p.throughputLevel },
    whatsapp_business_manager_messaging_limit: p.messagingLimitTier,
    messaging_limit_tier: p.messagingLimitTier,
    status: 'CONNECTED',
    code_verification_status: 'VERIFIED',
    name_status: 'APPROVED',
    platform_type: 'CLOUD_API',
  };
  return Object.fromEntries(fields.map((f) => [f, all[f]])) as unknown as GraphPhoneNumber;
}

function renderWaba(w: SandboxWaba, fields: string[]): Record<string, unknown> {
  const legacy =
    w.mmOnboardingStatus === 'ONBOARDED'
      ? 'ONBOARDED'
      : w.mmOnboardingStatus === 'ELIGIBLE'
        ? 'ELIGIBLE'
        : 'INELIGIBLE';
  const all: Record<string, unknown> = {
    id: w.id,
    name: w.name,
    marketing_messages_onboarding_status: w.mmOnboardingStatus,
    marketing_messages_lite_api_status: legacy,
    currency: 'USD',
    timezone_id: '1',
    message_template_namespace: `sandbox_${w.id}`,
  };
  return Object.fromEntries(fields.map((f) => [f, all[f]]));
}

/**
 * Graph node reads: `GET /{id}` for a phone number, template or WABA; `GET /{waba-id}/template_analytics`
 * (§7.1); `GET /{ad-id}/insights` (§7.2).
 *
 * Benchmark path (§7.2): MM benchmarks have no WhatsApp API of their own; the documented API route is
 * the Marketing-API Insights endpoint of the ad each marketing template maps to. So a template exposes
 * `ad_id` (with `ad_adset_id`, `ad_campaign_id`, `ad_account_id`) in its fields, and
 * `GET /{ad-id}/insights?fields=marketing_messages_read_rate_benchmark,marketing_messages_click_rate_benchmark,…`
 * answers one row of strings over the last 30 days, computed from this sandbox's MM sends, with the
 * benchmark set for that template through the control API (or the default).
 */
@Controller(':version')
export class GraphObjectsController {
  constructor(
    @Inject(SandboxRuntime) private readonly rt: SandboxRuntime,
    @Inject(TemplateRegistry) private readonly registry: TemplateRegistry,
  ) {}

  @Get(':wabaId/template_analytics')
  templateAnalytics(
    @Param('wabaId') wabaId: string,
    @Headers('authorization') auth: string | undefined,
    @Query() query: Record<string, string | undefined>,
  ): TemplateAnalyticsResponse {
    const waba = this.rt.state.wabas.get(wabaId);
    if (!waba) {
      throw SandboxGraphError.unknownObject(wabaId);
    }
    assertToken(waba, auth);
    return templateAnalytics(this.rt.state, wabaId, query);
  }

  @Get(':adId/insights')
  insights(
    @Param('adId') adId: string,
    @Headers('authorization') auth: string | undefined,
    @Query('fields') fields: string | undefined,
  ): MmInsightsResponse {
    const s = this.rt.state;
    const templateId = s.adToTemplate.get(adId);
    const t = templateId ? s.templates.get(templateId) : undefined;
    const waba = t ? s.wabas.get(t.wabaId) : undefined;
    if (!t || !waba) {
      throw SandboxGraphError.unknownObject(adId);
    }
    assertToken(waba, auth);
    return {
      data: [adInsights(s, t, fields)],
      paging: { cursors: { before: 'MAZDZD', after: 'MAZDZD' } },
    };
  }

  /** `POST /<TEMPLATE_ID>`: a template edit (§3.3; the sandbox edits the TTL). */
  @Post(':id')
  @HttpCode(200)
  editNode(
    @Param('id') id: string,
    @Headers('authorization') auth: string | undefined,
    @Body() body: unknown,
  ): GraphSuccess {
    const template = this.rt.state.templates.get(id);
    if (!template) {
      throw SandboxGraphError.unknownObject(id, 'post');
    }
    assertToken(this.rt.state.wabas.get(template.wabaId) as SandboxWaba, auth);
    this.registry.edit(template, body);
    return { success: true };
  }

  @Get(':id')
  node(
    @Param('id') id: string,
    @Headers('authorization') auth: string | undefined,
    @Query('fields') fields: string | undefined,
  ): GraphPhoneNumber | GraphTemplate | Record<string, unknown> {
    const s = this.rt.state;
    const phone = s.phoneNumbers.get(id);
    if (phone) {
      assertToken(s.wabas.get(phone.wabaId) as SandboxWaba, auth);
      return renderPhone(
        phone,
        pickFields(
          fields,
          PHONE_FIELDS,
          ['id', 'display_phone_number', 'verified_name', 'quality_rating'],
          'WhatsAppBusinessPhoneNumber',
        ),
      );
    }
    const template = s.templates.get(id);
    if (template) {
      assertToken(s.wabas.get(template.wabaId) as SandboxWaba, auth);
      return this.registry.render(template, TemplateRegistry.fields(fields));
    }
    const waba = s.wabas.get(id);
    if (waba) {
      assertToken(waba, auth);
      return renderWaba(
        waba,
        pickFields(fields, WABA_FIELDS, ['id', 'name'], 'WhatsAppBusinessAccount'),
      );
    }
    throw SandboxGraphError.unknownObject(id);
  }
}
