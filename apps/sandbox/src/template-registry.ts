import {
  GRAPH_TEMPLATE_STATUSES,
  isValidTemplateName,
  templatePlaceholders,
  type GraphQualityScore,
  type GraphTemplate,
  type GraphTemplateCategory,
  type GraphTemplateComponent,
  type GraphTemplateRejectionReason,
  type GraphTemplateStatus,
  type TemplateStatusUpdateValue,
} from '@app/graph-contract';
import { SandboxGraphError } from './graph-error';
import type { SandboxRuntime } from './sandbox-runtime';
import type { SandboxTemplate, SandboxWaba } from './sandbox-state';

const CATEGORIES: readonly GraphTemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];

export const TEMPLATE_STATUSES: readonly GraphTemplateStatus[] = GRAPH_TEMPLATE_STATUSES;

export const QUALITY_SCORES: readonly GraphQualityScore[] = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'];

/** Fields a template read may ask for (§3.2); anything else is refused like Graph does. */
const TEMPLATE_FIELDS = new Set([
  'id',
  'name',
  'language',
  'category',
  'status',
  'components',
  'parameter_format',
  'message_send_ttl_seconds',
  'rejected_reason',
  'quality_score',
  'previous_category',
  'correct_category',
  'cta_url_link_tracking_opted_out',
  'sub_category',
  'ad_id',
  'ad_adset_id',
  'ad_campaign_id',
  'ad_account_id',
]);

const DEFAULT_FIELDS = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'components',
  'parameter_format',
];

/** `message_send_ttl_seconds` (§1.6): 43200..2592000 for MARKETING, 30..43200 otherwise. */
function parseTtl(category: string, v: unknown): number {
  const [min, max] = category === 'MARKETING' ? [43200, 2592000] : [30, 43200];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw creationError(
      `message_send_ttl_seconds must be an integer in ${min}..${max} for ${category}`,
    );
  }
  return v;
}

function creationError(details: string, subcode?: number): SandboxGraphError {
  return new SandboxGraphError(400, 100, 'Invalid parameter', details, 'OAuthException', subcode);
}

export interface TemplateInput {
  name: unknown;
  language: unknown;
  category: unknown;
  components: unknown;
  parameter_format?: unknown;
  message_send_ttl_seconds?: unknown;
}

/** Checks a template the way §2.7/§3.1 describe; returns the parts the registry stores. */
export function parseTemplateInput(body: TemplateInput): {
  name: string;
  language: string;
  category: GraphTemplateCategory;
  components: GraphTemplateComponent[];
  parameterFormat: 'POSITIONAL' | 'NAMED';
  ttl: number | null;
} {
  if (!isValidTemplateName(body.name)) {
    throw creationError('name must be lowercase letters, digits and underscores (at most 512)');
  }
  if (
    typeof body.language !== 'string' ||
    !/^[a-z]{2,3}([_-][A-Za-z]{2,4})?$/.test(body.language)
  ) {
    throw creationError('language must be a language code such as en or en_US');
  }
  const category = typeof body.category === 'string' ? body.category.toUpperCase() : '';
  if (!CATEGORIES.includes(category as GraphTemplateCategory)) {
    throw creationError('category must be MARKETING, UTILITY or AUTHENTICATION');
  }
  if (!Array.isArray(body.components) || body.components.length === 0) {
    throw creationError('components must be a non-empty array');
  }
  const components = body.components as GraphTemplateComponent[];
  for (const c of components) {
    if (typeof c !== 'object' || c === null || typeof c.type !== 'string') {
      throw creationError('every component needs a type');
    }
  }
  const of = (t: string) => components.filter((c) => c.type.toUpperCase() === t);
  const bodies = of('BODY');
  if (bodies.length !== 1 || typeof bodies[0]?.text !== 'string' || bodies[0].text.trim() === '') {
    throw creationError('a template needs exactly one BODY component with text', 2388072);
  }
  const bodyText = bodies[0].text;
  if (bodyText.length > 1024) {
    throw creationError('BODY text is longer than 1024 characters', 2388040);
  }
  if (/^\s*\{\{[^}]+\}\}/.test(bodyText) || /\{\{[^}]+\}\}\s*[.!?]?\s*$/.test(bodyText)) {
    throw creationError('Variables can not be at the start or end of the template', 2388299);
  }
  const header = of('HEADER')[0];
  if (header && (header.format ?? 'TEXT').toUpperCase() === 'TEXT') {
    if (typeof header.text !== 'string' || header.text.length > 60) {
      throw creationError('HEADER text is required and at most 60 characters', 2388040);
    }
    if (templatePlaceholders(header.text).length > 1) {
      throw creationError('HEADER text takes at most one variable', 2388047);
    }
  }
  const footer = of('FOOTER')[0];
  if (
    footer &&
    (typeof footer.text !== 'string' || footer.text.length > 60 || /\{\{/.test(footer.text))
  ) {
    throw creationError('FOOTER text is at most 60 characters, without variables', 2388073);
  }
  const buttons = of('BUTTONS')[0]?.buttons ?? [];
  if (buttons.length > 10) {
    throw creationError('at most 10 buttons');
  }
  for (const b of buttons) {
    if (typeof b.text !== 'string' || b.text.length === 0 || b.text.length > 25) {
      throw creationError('button labels are 1 to 25 characters');
    }
  }
  checkRichComponents(components, category);
  const format = body.parameter_format === undefined ? 'positional' : body.parameter_format;
  if (format !== 'positional' && format !== 'named') {
    throw creationError("parameter_format must be 'positional' or 'named'");
  }
  const ttl =
    body.message_send_ttl_seconds === undefined
      ? null
      : parseTtl(category, body.message_send_ttl_seconds);
  return {
    name: body.name,
    language: body.language,
    category: category as GraphTemplateCategory,
    components,
    parameterFormat: format === 'named' ? 'NAMED' : 'POSITIONAL',
    ttl,
  };
}

/** Carousel and limited-time offer rules of §2.5–2.6 (the rest of a card is checked on send). */
function checkRichComponents(components: GraphTemplateComponent[], category: string): void {
  const of = (t: string) => components.find((c) => c.type.toUpperCase() === t);
  const carousel = of('CAROUSEL');
  const lto = of('LIMITED_TIME_OFFER');
  if ((carousel || lto) && category !== 'MARKETING') {
    throw creationError('carousel and limited-time offer templates are MARKETING only');
  }
  if (carousel) {
    const cards = Array.isArray(carousel.cards) ? carousel.cards : [];
    if (cards.length < 2 || cards.length > 10) {
      throw creationError('a carousel has 2 to 10 cards');
    }
    for (const card of cards) {
      const header = (Array.isArray(card?.components) ? card.components : []).find(
        (c) => String(c?.type).toUpperCase() === 'HEADER',
      );
      const format = String(header?.format ?? '').toUpperCase();
      if (format !== 'IMAGE' && format !== 'VIDEO') {
        throw creationError('every carousel card needs an IMAGE or VIDEO header', 2388047);
      }
    }
  }
  if (lto) {
    const text = lto.limited_time_offer?.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 16) {
      throw creationError('limited_time_offer.text is 1 to 16 characters', 2388040);
    }
    if (of('FOOTER')) {
      throw creationError('a limited-time offer template has no footer', 2388073);
    }
  }
}

/** Template reads, the review that turns PENDING into APPROVED/REJECTED, and status/quality changes. */
export class TemplateRegistry {
  constructor(private readonly rt: SandboxRuntime) {}

  /**
   * `POST /<TEMPLATE_ID>` (§3.3): only APPROVED, REJECTED and PAUSED templates can be edited. The
   * sandbox edits the TTL only (null removes it); other fields are refused rather than ignored.
   */
  edit(t: SandboxTemplate, body: unknown): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw creationError('The request body must be a JSON object');
    }
    const fields = Object.keys(body);
    if (fields.length === 0 || fields.some((f) => f !== 'message_send_ttl_seconds')) {
      throw creationError('The sandbox edits message_send_ttl_seconds only');
    }
    if (!['APPROVED', 'REJECTED', 'PAUSED'].includes(t.status)) {
      throw new SandboxGraphError(
        400,
        100,
        'Invalid parameter',
        `Template ${t.name} is ${t.status}: only APPROVED, REJECTED or PAUSED templates can be edited`,
        'OAuthException',
        2388039,
      );
    }
    const v = (body as { message_send_ttl_seconds: unknown }).message_send_ttl_seconds;
    t.messageSendTtlSeconds = v === null ? null : parseTtl(t.category, v);
  }

  create(
    waba: SandboxWaba,
    body: TemplateInput,
    seeded?: { status: GraphTemplateStatus },
  ): SandboxTemplate {
    const t = parseTemplateInput(body);
    for (const existing of waba.templates.values()) {
      if (existing.name === t.name && existing.language === t.language) {
        throw creationError(`Content in this language already exists: ${t.name} (${t.language})`);
      }
    }
    const s = this.rt.state;
    const template = s.addTemplate({
      wabaId: waba.id,
      name: t.name,
      language: t.language,
      category: t.category,
      status: seeded?.status ?? 'PENDING',
      parameterFormat: t.parameterFormat,
      components: t.components,
      rejectedReason: null,
      qualityScore: 'UNKNOWN',
      qualityDateMs: s.clock.nowMs(),
      messageSendTtlSeconds: t.ttl,
      benchmark: null,
    });
    if (!seeded) {
      this.rt.scheduler.after(s.settings.delays.templateReviewMs, () => this.review(template.id));
    }
    return template;
  }

  /** Meta's review: the first matching rejection rule rejects, otherwise the template is approved. */
  private review(id: string): void {
    const t = this.rt.state.templates.get(id);
    if (!t || t.status !== 'PENDING') {
      return;
    }
    const body = t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '';
    for (const rule of this.rt.state.settings.templateRules.rejections) {
      const re = new RegExp(rule.match, 'i');
      const hit =
        (rule.field !== 'body' && re.test(t.name)) || (rule.field !== 'name' && re.test(body));
      if (hit) {
        this.setStatus(t, 'REJECTED', rule.reason, {
          rejection_info: {
            reason:
              rule.detail ?? `The template matched the rule /${rule.match}/ on its ${rule.field}.`,
            recommendation:
              'Edit the template to follow the WhatsApp Business Messaging Policy and submit it again.',
          },
        });
        return;
      }
    }
    this.setStatus(t, 'APPROVED', 'NONE');
  }

  /** Changes a template's status and announces it with `message_template_status_update` (§3.7). */
  setStatus(
    t: SandboxTemplate,
    status: GraphTemplateStatus,
    reason: GraphTemplateRejectionReason | null = 'NONE',
    extra: Partial<TemplateStatusUpdateValue> = {},
  ): void {
    const s = this.rt.state;
    const previous = t.status;
    t.status = status;
    t.rejectedReason = status === 'REJECTED' ? reason : null;
    const value: TemplateStatusUpdateValue = {
      event: status,
      message_template_id: Number(t.id),
      message_template_name: t.name,
      message_template_language: t.language,
      reason,
      message_template_category: t.category,
      ...extra,
    };
    if (status === 'PAUSED' && !value.other_info) {
      value.other_info = {
        title: 'FIRST_PAUSE',
        description: 'Your message template has been paused because of low quality.',
      };
    }
    if (status === 'DISABLED' && !value.disable_info) {
      value.disable_info = { disable_date: Math.floor(s.clock.nowMs() / 1000) };
    }
    if (status === 'APPROVED' && previous === 'PAUSED' && !value.other_info) {
      value.other_info = {
        title: 'UNPAUSE',
        description: 'Your message template has been unpaused.',
      };
    }
    this.rt.webhooks.change(
      t.wabaId,
      { field: 'message_template_status_update', value },
      true,
      s.clock.nowMs(),
    );
  }

  /** Changes the quality score and announces it with `message_template_quality_update` (§3.7). */
  setQuality(t: SandboxTemplate, score: GraphQualityScore): void {
    const s = this.rt.state;
    const previous = t.qualityScore;
    t.qualityScore = score;
    t.qualityDateMs = s.clock.nowMs();
    this.rt.webhooks.change(
      t.wabaId,
      {
        field: 'message_template_quality_update',
        value: {
          previous_quality_score: previous,
          new_quality_score: score,
          message_template_id: Number(t.id),
          message_template_name: t.name,
          message_template_language: t.language,
        },
      },
      true,
      s.clock.nowMs(),
    );
  }

  /**
   * Meta recategorises a template (§3.7): `impending` only announces it (24 h ahead, the category
   * stays), `completed` changes it (and clears the TTL, §1.6) — each with its webhook.
   */
  recategorise(
    t: SandboxTemplate,
    to: GraphTemplateCategory,
    phase: 'impending' | 'completed',
  ): void {
    const s = this.rt.state;
    const base = {
      message_template_id: Number(t.id),
      message_template_name: t.name,
      message_template_language: t.language,
    };
    let value;
    if (phase === 'impending') {
      value = {
        ...base,
        new_category: t.category,
        correct_category: to,
        category_update_timestamp: Math.floor(s.clock.nowMs() / 1000) + 86_400,
      };
    } else {
      value = { ...base, previous_category: t.category, new_category: to };
      t.category = to;
      t.messageSendTtlSeconds = null;
    }
    this.rt.webhooks.change(
      t.wabaId,
      { field: 'template_category_update', value },
      true,
      s.clock.nowMs(),
    );
  }

  /** Parses `fields=a,b` into the list to render; unknown fields are refused as Graph does. */
  static fields(raw: string | undefined): string[] {
    if (!raw) {
      return DEFAULT_FIELDS;
    }
    const fields = raw
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    for (const f of fields) {
      if (!TEMPLATE_FIELDS.has(f)) {
        throw new SandboxGraphError(
          400,
          100,
          `Tried accessing nonexisting field (${f}) on node type (WhatsAppBusinessHSM)`,
        );
      }
    }
    return fields.includes('id') ? fields : ['id', ...fields];
  }

  render(t: SandboxTemplate, fields: string[]): GraphTemplate {
    const all: Record<string, unknown> = {
      id: t.id,
      name: t.name,
      language: t.language,
      category: t.category,
      status: t.status,
      components: t.components,
      parameter_format: t.parameterFormat,
      message_send_ttl_seconds: t.messageSendTtlSeconds,
      rejected_reason: t.rejectedReason ?? 'NONE',
      quality_score: { score: t.qualityScore, date: Math.floor(t.qualityDateMs / 1000) },
      cta_url_link_tracking_opted_out: false,
      sub_category: undefined,
      previous_category: undefined,
      correct_category: undefined,
      ad_id: t.adId ?? undefined,
      ad_adset_id: t.adId ? String(Number(t.adId) + 1) : undefined,
      ad_campaign_id: t.adId ? String(Number(t.adId) + 2) : undefined,
      ad_account_id: t.adId ? `act_${t.wabaId}` : undefined,
    };
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (all[f] !== undefined) {
        out[f] = all[f];
      }
    }
    return out as unknown as GraphTemplate;
  }
}
