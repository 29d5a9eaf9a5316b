import { toWaId } from '@app/common';
import {
  normalizeLanguage,
  templatePlaceholders,
  type GraphSendComponent,
  type GraphSendParameter,
  type GraphTemplateButton,
  type GraphTemplateComponent,
} from '@app/graph-contract';
import { SandboxGraphError } from './graph-error';
import type { SandboxTemplate, SandboxWaba } from './sandbox-state';

export type SendEndpoint = 'marketing_messages' | 'messages';

export interface ValidSend {
  /** What the caller put in `to` / `recipient`. */
  input: string;
  /** Phone digits when sent by phone; null when sent by BSUID. */
  waId: string | null;
  userId: string | null;
  type: string;
  template: SandboxTemplate | null;
  bizOpaqueCallbackData: string | null;
  /** Quick-reply payloads the send set, by button index. */
  quickReplyPayloads: Map<number, string>;
}

const E164 = /^\+?[1-9]\d{6,14}$/;
const BSUID = /^[A-Z]{2}\.\d{5,30}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Graph version number (`v23.0` → 23); unknown formats count as the newest. */
export function versionNumber(version: string): number {
  const m = /^v(\d+)(?:\.\d+)?$/.exec(version);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

function paramCount(expected: GraphTemplateComponent): number {
  if (expected.type.toUpperCase() === 'HEADER') {
    const format = (expected.format ?? 'TEXT').toUpperCase();
    return format === 'TEXT' ? templatePlaceholders(expected.text).length : 1;
  }
  return templatePlaceholders(expected.text).length;
}

function countMismatch(where: string, expected: number, got: number): SandboxGraphError {
  return new SandboxGraphError(
    400,
    132000,
    'Number of parameters does not match the expected number of params',
    `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`,
  );
}

function formatError(details: string): SandboxGraphError {
  return new SandboxGraphError(
    400,
    132012,
    'Parameter format does not match format in the created template',
    details,
  );
}

function checkParameter(p: unknown, where: string, named: string[] | null): void {
  if (!isObject(p) || typeof p.type !== 'string') {
    throw formatError(`${where}: every parameter needs a type`);
  }
  const param = p as unknown as GraphSendParameter & { parameter_name?: unknown };
  switch (param.type) {
    case 'text':
      if (typeof param.text !== 'string' || param.text.trim() === '') {
        throw formatError(`${where}: text parameters need a non-empty text`);
      }
      break;
    case 'currency':
      if (!isObject(param.currency) || typeof param.currency.fallback_value !== 'string') {
        throw formatError(`${where}: currency parameters need currency.fallback_value`);
      }
      break;
    case 'date_time':
      if (!isObject(param.date_time) || typeof param.date_time.fallback_value !== 'string') {
        throw formatError(`${where}: date_time parameters need date_time.fallback_value`);
      }
      break;
    default:
      break;
  }
  if (named && !named.includes(String(param.parameter_name))) {
    throw formatError(
      `${where}: parameter_name '${String(param.parameter_name)}' is not in the template`,
    );
  }
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** One value-taking button's parameters: its sub_type's one parameter, in Meta's shape (§2.4). */
function checkButtonParameters(
  subType: string,
  button: GraphTemplateButton,
  params: unknown[],
  where: string,
  /** 15 in a limited-time offer's copy-code button, 20 in a coupon template (since 2025-12). */
  copyCodeMax = 20,
): void {
  if (subType === 'url') {
    const want = templatePlaceholders(button.url).length;
    if (params.length !== want) {
      throw countMismatch(where, want, params.length);
    }
    params.forEach((p, i) => checkParameter(p, `${where}[${i}]`, null));
    return;
  }
  if (subType === 'copy_code' || subType === 'catalog' || subType === 'mpm') {
    if (params.length !== 1) {
      throw countMismatch(where, 1, params.length);
    }
    const p = params[0];
    if (subType === 'copy_code') {
      if (
        !isObject(p) ||
        p.type !== 'coupon_code' ||
        typeof p.coupon_code !== 'string' ||
        p.coupon_code === '' ||
        p.coupon_code.length > copyCodeMax
      ) {
        throw formatError(
          `${where}: a copy_code button takes one coupon_code of 1 to ${copyCodeMax} characters`,
        );
      }
      return;
    }
    const action = isObject(p) && p.type === 'action' && isObject(p.action) ? p.action : null;
    if (!action || typeof action.thumbnail_product_retailer_id !== 'string') {
      throw formatError(
        `${where}: a ${subType} button takes an action with thumbnail_product_retailer_id`,
      );
    }
    if (subType === 'mpm') {
      const sections = action.sections;
      const items = Array.isArray(sections)
        ? sections.map((sec) =>
            isObject(sec) && Array.isArray(sec.product_items) ? sec.product_items : null,
          )
        : [];
      const total = items.reduce((n, x) => n + (x?.length ?? 0), 0);
      if (
        !Array.isArray(sections) ||
        sections.length < 1 ||
        sections.length > 10 ||
        items.some((x) => !x || x.length === 0) ||
        total > 30 ||
        items.some((x) =>
          (x ?? []).some((it) => !isObject(it) || typeof it.product_retailer_id !== 'string'),
        ) ||
        (sections.length > 1 &&
          sections.some((sec) => !isObject(sec) || typeof sec.title !== 'string'))
      ) {
        throw formatError(
          `${where}: an mpm action needs 1 to 10 sections (titled when more than one) of product_items, 30 at most`,
        );
      }
    }
  }
}

/** The parameters of a header: text placeholders, or one media parameter of the header's format. */
function checkHeader(
  expected: GraphTemplateComponent | undefined,
  params: unknown[],
  where: string,
): void {
  const want = expected ? paramCount(expected) : 0;
  if (params.length !== want) {
    throw countMismatch(where, want, params.length);
  }
  const format = (expected?.format ?? 'TEXT').toUpperCase();
  if (expected && format !== 'TEXT' && format !== 'LOCATION') {
    const p = params[0];
    // A GIF header is an mp4 (§2.7): sent as a video.
    const media = format === 'GIF' ? 'video' : format.toLowerCase();
    const value = isObject(p) ? p[media] : undefined;
    if (
      !isObject(p) ||
      p.type !== media ||
      !isObject(value) ||
      (typeof value.link !== 'string' && typeof value.id !== 'string')
    ) {
      throw formatError(
        `${where}: the ${format} header takes one ${media} parameter with a link or an id`,
      );
    }
    return;
  }
  params.forEach((p, i) => checkParameter(p, `${where}[${i}]`, null));
}

/**
 * Checks the components of a send against the template's (or one carousel card's) components,
 * exactly as §2 describes: counts (132000), formats (132012), button positions and kinds.
 */
function checkComponentList(
  template: SandboxTemplate,
  expectedList: GraphTemplateComponent[],
  given: GraphSendComponent[],
  where: string,
  quickReplyPayloads: Map<number, string> | null,
): void {
  const named = template.parameterFormat === 'NAMED';
  const byType = (t: string): GraphTemplateComponent | undefined =>
    expectedList.find((c) => c.type.toUpperCase() === t);
  const buttons = byType('BUTTONS')?.buttons ?? [];
  const at = (x: string): string => (where ? `${where} ${x}` : x);
  const seen = new Set<string>();
  for (const c of given) {
    if (!isObject(c) || typeof c.type !== 'string') {
      throw SandboxGraphError.invalidParameter(at('every component needs a type'));
    }
    const type = c.type.toLowerCase();
    const params = (c.parameters ?? []) as unknown[];
    if (!Array.isArray(params)) {
      throw SandboxGraphError.invalidParameter(at(`${type}: parameters must be an array`));
    }
    if (type === 'header') {
      seen.add(type);
      checkHeader(byType('HEADER'), params, at('header'));
    } else if (type === 'body') {
      seen.add(type);
      const expected = byType('BODY');
      const want = expected ? paramCount(expected) : 0;
      if (params.length !== want) {
        throw countMismatch(at('body'), want, params.length);
      }
      const names = named && expected ? templatePlaceholders(expected.text) : null;
      params.forEach((p, i) => checkParameter(p, at(`body[${i}]`), names));
    } else if (type === 'button') {
      const index = Number(c.index);
      const button = Number.isInteger(index) ? buttons[index] : undefined;
      if (!button) {
        throw SandboxGraphError.invalidParameter(
          at(`button index ${String(c.index)} is not on the template`),
        );
      }
      const subType = String(c.sub_type ?? '').toLowerCase();
      if (subType !== button.type.toLowerCase()) {
        throw SandboxGraphError.invalidParameter(
          at(`button ${index} is a ${button.type} button, not ${String(c.sub_type)}`),
        );
      }
      seen.add(`button${index}`);
      if (subType === 'quick_reply') {
        const p = params[0];
        if (isObject(p) && p.type === 'payload' && typeof p.payload === 'string') {
          quickReplyPayloads?.set(index, p.payload);
        }
      } else {
        checkButtonParameters(
          subType,
          button,
          params,
          at(`button ${index}`),
          byType('LIMITED_TIME_OFFER') ? 15 : 20,
        );
      }
    } else if (type === 'limited_time_offer' && !where) {
      const expected = byType('LIMITED_TIME_OFFER');
      if (!expected) {
        throw SandboxGraphError.invalidParameter(
          'the template has no limited_time_offer component',
        );
      }
      seen.add(type);
      if (params.length !== 1) {
        throw countMismatch('limited_time_offer', 1, params.length);
      }
      const p = params[0];
      const lto = isObject(p) && p.type === 'limited_time_offer' ? p.limited_time_offer : null;
      if (!isObject(lto) || !isInteger(lto.expiration_time_ms) || lto.expiration_time_ms <= 0) {
        throw formatError(
          'limited_time_offer: the parameter takes limited_time_offer.expiration_time_ms, a UNIX time in milliseconds',
        );
      }
    } else if (type === 'carousel' && !where) {
      seen.add(type);
      checkCarousel(template, byType('CAROUSEL'), c);
    } else {
      throw SandboxGraphError.invalidParameter(
        at(`component type ${c.type} is not on the template`),
      );
    }
  }
  // Placeholders the send left without values.
  for (const t of ['header', 'body'] as const) {
    const expected = byType(t.toUpperCase());
    if (expected && !seen.has(t) && paramCount(expected) > 0) {
      throw countMismatch(at(t), paramCount(expected), 0);
    }
  }
  const lto = byType('LIMITED_TIME_OFFER');
  if (lto?.limited_time_offer?.has_expiration === true && !seen.has('limited_time_offer')) {
    throw countMismatch('limited_time_offer', 1, 0);
  }
  if (byType('CAROUSEL') && !seen.has('carousel')) {
    throw countMismatch('carousel', byType('CAROUSEL')?.cards?.length ?? 0, 0);
  }
  buttons.forEach((b, i) => {
    const kind = b.type.toUpperCase();
    const takesValue =
      (kind === 'URL' && templatePlaceholders(b.url).length > 0) ||
      kind === 'COPY_CODE' ||
      kind === 'CATALOG' ||
      kind === 'MPM';
    if (takesValue && !seen.has(`button${i}`)) {
      throw new SandboxGraphError(
        400,
        131008,
        'Required parameter is missing',
        at(`Parameter value for ${kind} button ${i} was expected but was not found`),
      );
    }
  });
}

/** A carousel send (§2.5): one entry per card of the template, by card_index, each checked like a template. */
function checkCarousel(
  template: SandboxTemplate,
  expected: GraphTemplateComponent | undefined,
  sent: GraphSendComponent,
): void {
  if (!expected) {
    throw SandboxGraphError.invalidParameter('the template has no carousel');
  }
  const cards = expected.cards ?? [];
  const given = sent.cards;
  if (!Array.isArray(given)) {
    throw countMismatch('carousel', cards.length, 0);
  }
  if (given.length !== cards.length) {
    throw new SandboxGraphError(
      400,
      132000,
      'Number of parameters does not match the expected number of params',
      `carousel: number of cards (${given.length}) does not match the number of cards in the template (${cards.length})`,
    );
  }
  const indexes = new Set<number>();
  for (const card of given) {
    const index = isObject(card) ? card.card_index : undefined;
    if (!isInteger(index) || index < 0 || index >= cards.length || indexes.has(index)) {
      throw formatError(
        `carousel: card_index ${String(index)} must be 0 to ${cards.length - 1}, once each`,
      );
    }
    indexes.add(index);
    if (!Array.isArray(card.components)) {
      throw SandboxGraphError.invalidParameter(`card ${index}: components must be an array`);
    }
    checkComponentList(
      template,
      cards[index]?.components ?? [],
      card.components,
      `card ${index}`,
      null,
    );
  }
}

/** Checks a template send against the approved template exactly as §2 describes. */
function checkComponents(template: SandboxTemplate, sent: unknown): Map<number, string> {
  const quickReplyPayloads = new Map<number, string>();
  if (sent !== undefined && !Array.isArray(sent)) {
    throw SandboxGraphError.invalidParameter('template.components must be an array');
  }
  checkComponentList(
    template,
    template.components,
    (sent ?? []) as GraphSendComponent[],
    '',
    quickReplyPayloads,
  );
  return quickReplyPayloads;
}

/**
 * Validates a send body the way Meta does (§1.2, §1.4, §2, §5.2) and resolves its template. Throws a
 * SandboxGraphError carrying Meta's code; rate limits are checked afterwards by the caller.
 */
export function validateSend(
  endpoint: SendEndpoint,
  version: string,
  body: unknown,
  waba: SandboxWaba,
): ValidSend {
  if (!isObject(body)) {
    throw SandboxGraphError.invalidParameter('The request body must be a JSON object');
  }
  if (body.messaging_product !== 'whatsapp') {
    throw new SandboxGraphError(
      400,
      100,
      'The parameter messaging_product is required.',
      "messaging_product must be 'whatsapp'",
    );
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw SandboxGraphError.invalidParameter('recipient_type must be individual');
  }
  let input: string;
  let waId: string | null = null;
  let userId: string | null = null;
  if (typeof body.to === 'string' && body.to !== '') {
    input = body.to;
    if (!E164.test(input)) {
      throw SandboxGraphError.invalidParameter(
        `Invalid 'to' parameter: '${input}' is not a phone number`,
      );
    }
    waId = toWaId(input);
  } else if (typeof body.recipient === 'string' && body.recipient !== '') {
    input = body.recipient;
    if (!BSUID.test(input)) {
      throw SandboxGraphError.invalidParameter(
        `Invalid 'recipient' parameter: '${input}' is not a BSUID`,
      );
    }
    userId = input;
  } else {
    throw new SandboxGraphError(400, 100, 'The parameter to is required.');
  }
  const type = body.type;
  if (endpoint === 'marketing_messages' && type !== 'template') {
    throw new SandboxGraphError(400, 100, 'Message must be a template message');
  }
  if (typeof type !== 'string') {
    throw new SandboxGraphError(400, 100, 'The parameter type is required.');
  }
  const bizOpaque =
    typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : null;
  if (type === 'text') {
    const text = body.text;
    if (!isObject(text) || typeof text.body !== 'string' || text.body === '') {
      throw new SandboxGraphError(
        400,
        131008,
        'Required parameter is missing',
        'text.body is required',
      );
    }
    return {
      input,
      waId,
      userId,
      type,
      template: null,
      bizOpaqueCallbackData: bizOpaque,
      quickReplyPayloads: new Map(),
    };
  }
  if (type !== 'template') {
    throw new SandboxGraphError(
      400,
      131051,
      'Unsupported message type',
      `The sandbox sends template and text messages, not ${type}`,
    );
  }
  const t = body.template;
  if (
    !isObject(t) ||
    typeof t.name !== 'string' ||
    !isObject(t.language) ||
    typeof t.language.code !== 'string'
  ) {
    throw new SandboxGraphError(
      400,
      131008,
      'Required parameter is missing',
      'template.name and template.language.code are required',
    );
  }
  const lang = normalizeLanguage(t.language.code);
  let sameName = false;
  let template: SandboxTemplate | null = null;
  for (const candidate of waba.templates.values()) {
    if (candidate.name === t.name) {
      sameName = true;
      if (normalizeLanguage(candidate.language) === lang) {
        template = candidate;
        break;
      }
    }
  }
  if (!template) {
    throw new SandboxGraphError(
      400,
      132001,
      'Template name does not exist in the translation',
      sameName
        ? `template name (${t.name}) does not exist in ${t.language.code}`
        : `template name (${t.name}) does not exist`,
    );
  }
  if (template.status === 'PAUSED') {
    throw new SandboxGraphError(
      400,
      132015,
      'Template is Paused',
      `Template ${t.name} is paused due to low quality`,
    );
  }
  if (template.status === 'DISABLED') {
    throw new SandboxGraphError(
      400,
      132016,
      'Template is disabled',
      `Template ${t.name} has been disabled due to low quality`,
    );
  }
  if (template.status !== 'APPROVED') {
    throw new SandboxGraphError(
      400,
      132001,
      'Template name does not exist in the translation',
      `template ${t.name} (${t.language.code}) is ${template.status}, not APPROVED`,
    );
  }
  if (endpoint === 'marketing_messages' && template.category !== 'MARKETING') {
    // §1.4/§5.2: 134100 from v23.0 on, 131055 on older versions.
    throw versionNumber(version) >= 23
      ? new SandboxGraphError(
          400,
          134100,
          'Only marketing templates are supported',
          `Template ${t.name} is ${template.category}; send it with /messages`,
        )
      : new SandboxGraphError(
          400,
          131055,
          'Method not allowed',
          'Only marketing template messages are supported',
        );
  }
  const quickReplyPayloads = checkComponents(template, t.components);
  return {
    input,
    waId,
    userId,
    type,
    template,
    bizOpaqueCallbackData: bizOpaque,
    quickReplyPayloads,
  };
}
