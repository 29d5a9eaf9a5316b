import { placeholdersOf } from './placeholders';
import type {
  BodyComponent,
  ButtonsComponent,
  CarouselComponent,
  HeaderComponent,
  TemplateButton,
  TemplateComponent,
  TemplateDefinition,
} from './template-model';

export interface TemplateProblem {
  field: string;
  message: string;
}

/** Limits from MMLITE.md §2.7, §1.6 and §3.1. */
export const TEMPLATE_LIMITS = {
  nameMax: 512,
  headerTextMax: 60,
  bodyMax: 1024,
  footerMax: 60,
  buttonLabelMax: 25,
  buttonsMax: 10,
  quickRepliesMax: 10,
  urlButtonsMax: 2,
  phoneButtonsMax: 1,
  copyCodeButtonsMax: 1,
  urlMax: 2000,
  /** A coupon code template's code (Meta's coupon templates page since 2025-12: 20). */
  couponCodeMax: 20,
  /** The offer code of a limited-time offer template (its copy-code button). */
  offerCodeMax: 15,
  ltoBodyMax: 600,
  ltoTextMax: 16,
  cardsMin: 2,
  cardsMax: 10,
  cardBodyMax: 160,
  cardButtonsMax: 2,
  mpmSectionsMax: 10,
  mpmProductsMax: 30,
  mpmSectionTitleMax: 24,
  marketingTtlMin: 43_200,
  marketingTtlMax: 2_592_000,
  utilityTtlMin: 30,
  utilityTtlMax: 43_200,
} as const;

const NAME_RE = /^[a-z0-9_]+$/;
const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2}|_[A-Za-z]{4})?$/;
const NAMED_RE = /^[a-z][a-z0-9_]*$/;

class Problems {
  readonly list: TemplateProblem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
}

/**
 * Placeholders of one text: positional ones must be `{{1}}…{{n}}` without gaps, named ones
 * lowercase with underscores; they may not start or end the text nor stand next to each other
 * (Meta rejects those: 2388299 and the INVALID_FORMAT example of §3.7).
 */
function checkPlaceholders(
  p: Problems,
  field: string,
  text: string,
  format: TemplateDefinition['parameterFormat'],
): string[] {
  const names = placeholdersOf(text);
  if (names.length === 0) {
    return names;
  }
  if (format === 'positional') {
    const bad = names.filter((n) => !/^[1-9]\d*$/.test(n));
    if (bad.length) {
      p.add(field, `positional placeholders must be {{1}}, {{2}}…; found {{${bad[0]}}}`);
      return names;
    }
    const distinct = [...new Set(names.map(Number))].sort((a, b) => a - b);
    if (distinct.some((n, i) => n !== i + 1)) {
      p.add(
        field,
        `placeholders must be numbered from {{1}} without gaps; found ${distinct.map((n) => `{{${n}}}`).join(', ')}`,
      );
    }
  } else {
    const bad = names.filter((n) => !NAMED_RE.test(n));
    if (bad.length) {
      p.add(
        field,
        `named placeholders must be lowercase letters, digits and underscores; found {{${bad[0]}}}`,
      );
    }
  }
  const trimmed = text.trim();
  if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed)) {
    p.add(field, 'a placeholder may not be at the start or the end of the text');
  }
  if (/\}\}\s*\{\{/.test(text)) {
    p.add(field, 'placeholders may not stand next to each other; separate them with text');
  }
  return names;
}

function checkHeader(p: Problems, f: string, h: HeaderComponent, def: TemplateDefinition): void {
  const formats = ['TEXT', 'IMAGE', 'VIDEO', 'GIF', 'DOCUMENT', 'LOCATION'];
  if (!formats.includes(h.format)) {
    p.add(`${f}.format`, `format must be one of ${formats.join(', ')}`);
    return;
  }
  if (h.format === 'GIF' && def.category !== 'MARKETING') {
    p.add(`${f}.format`, 'GIF headers are for MARKETING templates only');
  }
  if (h.format !== 'TEXT') {
    if (h.text !== undefined) {
      p.add(`${f}.text`, `a ${h.format} header has no text`);
    }
    if (h.format !== 'LOCATION' && !h.example?.header_handle?.length) {
      p.add(`${f}.example.header_handle`, `a ${h.format} header needs an example media handle`);
    }
    return;
  }
  if (!h.text) {
    p.add(`${f}.text`, 'a TEXT header needs text');
    return;
  }
  if (h.text.length > TEMPLATE_LIMITS.headerTextMax) {
    p.add(
      `${f}.text`,
      `header text is ${h.text.length} characters; at most ${TEMPLATE_LIMITS.headerTextMax}`,
    );
  }
  const names = [...new Set(checkPlaceholders(p, `${f}.text`, h.text, def.parameterFormat))];
  if (names.length > 1) {
    p.add(`${f}.text`, 'a header may have at most one placeholder');
  }
  if (names.length === 1) {
    const examples =
      def.parameterFormat === 'named'
        ? h.example?.header_text_named_params?.map((e) => e.param_name)
        : h.example?.header_text;
    if (!examples || examples.length !== 1) {
      p.add(
        `${f}.example.${def.parameterFormat === 'named' ? 'header_text_named_params' : 'header_text'}`,
        'the header placeholder needs exactly one example',
      );
    } else if (def.parameterFormat === 'named' && examples[0] !== names[0]) {
      p.add(
        `${f}.example.header_text_named_params`,
        `example is for {{${examples[0]}}}, the header uses {{${names[0]}}}`,
      );
    }
  }
}

function checkBody(
  p: Problems,
  f: string,
  b: BodyComponent,
  def: TemplateDefinition,
  max: number = TEMPLATE_LIMITS.bodyMax,
): void {
  if (typeof b.text !== 'string' || b.text.trim().length === 0) {
    p.add(`${f}.text`, 'the body needs text');
    return;
  }
  if (b.text.length > max) {
    p.add(`${f}.text`, `body is ${b.text.length} characters; at most ${max}`);
  }
  const names = [...new Set(checkPlaceholders(p, `${f}.text`, b.text, def.parameterFormat))];
  if (names.length === 0) {
    return;
  }
  if (def.parameterFormat === 'positional') {
    const rows = b.example?.body_text;
    if (!rows || rows.length === 0) {
      p.add(
        `${f}.example.body_text`,
        `the body has ${names.length} placeholder(s) and needs examples`,
      );
    } else if (rows[0]?.length !== names.length) {
      p.add(
        `${f}.example.body_text`,
        `${rows[0]?.length ?? 0} example(s) for ${names.length} placeholder(s)`,
      );
    } else if (rows[0].some((e) => typeof e !== 'string' || e.trim() === '')) {
      p.add(`${f}.example.body_text`, 'examples may not be empty');
    }
  } else {
    const given = b.example?.body_text_named_params ?? [];
    const missing = names.filter(
      (n) => !given.some((g) => g.param_name === n && g.example?.trim()),
    );
    if (missing.length) {
      p.add(
        `${f}.example.body_text_named_params`,
        `missing examples for ${missing.map((n) => `{{${n}}}`).join(', ')}`,
      );
    }
  }
  // Meta rejects bodies that are mostly variables (2388293): require some text per placeholder.
  const words = b.text
    .replace(/\{\{[^{}]*\}\}/g, ' ')
    .split(/\s+/)
    .filter(Boolean).length;
  if (words < names.length * 2) {
    p.add(
      `${f}.text`,
      `${names.length} placeholder(s) need more surrounding text (${words} word(s))`,
    );
  }
}

/** The longest code a copy-code button takes: 15 in a limited-time offer, 20 in a coupon template. */
export function copyCodeMaxOf(hasLimitedTimeOffer: boolean): number {
  return hasLimitedTimeOffer ? TEMPLATE_LIMITS.offerCodeMax : TEMPLATE_LIMITS.couponCodeMax;
}

function checkButton(p: Problems, f: string, b: TemplateButton, lto = false): void {
  const types = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'CATALOG', 'MPM'];
  if (!types.includes(b.type)) {
    p.add(`${f}.type`, `type must be one of ${types.join(', ')}`);
    return;
  }
  if (b.type !== 'COPY_CODE') {
    if (typeof b.text !== 'string' || b.text.trim() === '') {
      p.add(`${f}.text`, 'a button needs a label');
    } else if (b.text.length > TEMPLATE_LIMITS.buttonLabelMax) {
      p.add(
        `${f}.text`,
        `label is ${b.text.length} characters; at most ${TEMPLATE_LIMITS.buttonLabelMax}`,
      );
    }
  }
  if (b.type === 'URL') {
    if (!b.url || !/^https?:\/\/[^\s]+$/i.test(b.url)) {
      p.add(`${f}.url`, 'a URL button needs an http(s) URL');
      return;
    }
    if (b.url.length > TEMPLATE_LIMITS.urlMax) {
      p.add(`${f}.url`, `URL is longer than ${TEMPLATE_LIMITS.urlMax} characters`);
    }
    const names = placeholdersOf(b.url);
    if (names.length > 1 || (names.length === 1 && !/\{\{\s*1\s*\}\}$/.test(b.url))) {
      p.add(`${f}.url`, 'a URL may have one placeholder, {{1}}, at its very end');
    }
    if (names.length === 1) {
      const ex = Array.isArray(b.example) ? b.example[0] : b.example;
      if (!ex) {
        p.add(`${f}.example`, 'a URL with a placeholder needs an example');
      }
    }
  }
  if (b.type === 'PHONE_NUMBER' && !/^\+?[1-9]\d{6,14}$/.test(b.phone_number ?? '')) {
    p.add(`${f}.phone_number`, 'a phone button needs a number in international format');
  }
  if (b.type === 'COPY_CODE') {
    const ex = Array.isArray(b.example) ? b.example[0] : b.example;
    if (!ex) {
      p.add(`${f}.example`, 'a copy-code button needs an example code');
    } else if (ex.length > copyCodeMaxOf(lto)) {
      p.add(`${f}.example`, `a code may have at most ${copyCodeMaxOf(lto)} characters`);
    }
  }
}

function checkButtons(p: Problems, f: string, c: ButtonsComponent, lto: boolean): void {
  if (!Array.isArray(c.buttons) || c.buttons.length === 0) {
    p.add(`${f}.buttons`, 'a BUTTONS component needs at least one button');
    return;
  }
  if (c.buttons.length > TEMPLATE_LIMITS.buttonsMax) {
    p.add(`${f}.buttons`, `${c.buttons.length} buttons; at most ${TEMPLATE_LIMITS.buttonsMax}`);
  }
  const count = (t: string): number => c.buttons.filter((b) => b.type === t).length;
  const caps: Array<[string, number]> = [
    ['QUICK_REPLY', TEMPLATE_LIMITS.quickRepliesMax],
    ['URL', TEMPLATE_LIMITS.urlButtonsMax],
    ['PHONE_NUMBER', TEMPLATE_LIMITS.phoneButtonsMax],
    ['COPY_CODE', TEMPLATE_LIMITS.copyCodeButtonsMax],
  ];
  const product = c.buttons.find((b) => b.type === 'CATALOG' || b.type === 'MPM');
  if (product && c.buttons.length > 1) {
    p.add(`${f}.buttons`, `a ${product.type} button is the template's only button`);
  }
  for (const [type, max] of caps) {
    if (count(type) > max) {
      p.add(`${f}.buttons`, `at most ${max} ${type} button(s); found ${count(type)}`);
    }
  }
  // Quick replies must be one group: QR…QR then others, or others then QR…QR.
  const kinds = c.buttons.map((b) => (b.type === 'QUICK_REPLY' ? 'q' : 'o')).join('');
  if (/q+o+q/.test(kinds) || /o+q+o/.test(kinds)) {
    p.add(`${f}.buttons`, 'quick-reply buttons must be grouped together');
  }
  c.buttons.forEach((b, i) => checkButton(p, `${f}.buttons[${i}]`, b, lto));
}

/**
 * A media-card carousel (§2.5): 2–10 cards, each an IMAGE or VIDEO header, an optional body of
 * at most 160 characters and up to two quick-reply, URL or phone buttons — the same set on every card.
 */
function checkCarousel(
  p: Problems,
  f: string,
  c: CarouselComponent,
  def: TemplateDefinition,
): void {
  if (def.category !== 'MARKETING') {
    p.add(`${f}.type`, 'a carousel is for MARKETING templates only');
  }
  const cards = Array.isArray(c.cards) ? c.cards : [];
  if (cards.length < TEMPLATE_LIMITS.cardsMin || cards.length > TEMPLATE_LIMITS.cardsMax) {
    p.add(
      `${f}.cards`,
      `a carousel has ${TEMPLATE_LIMITS.cardsMin} to ${TEMPLATE_LIMITS.cardsMax} cards; found ${cards.length}`,
    );
  }
  let firstShape: string | null = null;
  cards.forEach((card, ci) => {
    const cf = `${f}.cards[${ci}]`;
    const parts = Array.isArray(card?.components) ? card.components : [];
    const shape: string[] = [];
    let header = false;
    parts.forEach((part, pi) => {
      const pf = `${cf}.components[${pi}]`;
      const type = String((part as { type?: unknown }).type);
      if (part.type === 'HEADER') {
        header = true;
        if (part.format !== 'IMAGE' && part.format !== 'VIDEO') {
          p.add(`${pf}.format`, 'a card header is an IMAGE or a VIDEO');
        } else if (!part.example?.header_handle?.length) {
          p.add(
            `${pf}.example.header_handle`,
            `a ${part.format} header needs an example media handle`,
          );
        }
        shape.push(`HEADER:${part.format}`);
      } else if (part.type === 'BODY') {
        checkBody(p, pf, part, def, TEMPLATE_LIMITS.cardBodyMax);
        shape.push('BODY');
      } else if (part.type === 'BUTTONS') {
        const buttons = Array.isArray(part.buttons) ? part.buttons : [];
        if (buttons.length === 0 || buttons.length > TEMPLATE_LIMITS.cardButtonsMax) {
          p.add(`${pf}.buttons`, `a card has 1 to ${TEMPLATE_LIMITS.cardButtonsMax} buttons`);
        }
        buttons.forEach((b, bi) => {
          if (b.type !== 'QUICK_REPLY' && b.type !== 'URL' && b.type !== 'PHONE_NUMBER') {
            p.add(`${pf}.buttons[${bi}].type`, 'card buttons are QUICK_REPLY, URL or PHONE_NUMBER');
          } else {
            checkButton(p, `${pf}.buttons[${bi}]`, b);
          }
        });
        shape.push(`BUTTONS:${buttons.map((b) => b.type).join(',')}`);
      } else {
        p.add(`${pf}.type`, `a card has HEADER, BODY and BUTTONS components, not ${type}`);
      }
    });
    if (!header) {
      p.add(`${cf}.components`, 'every card needs an IMAGE or VIDEO header');
    }
    const key = shape.join('|');
    if (firstShape === null) {
      firstShape = key;
    } else if (key !== firstShape) {
      p.add(`${cf}.components`, 'every card must have the same components and buttons as card 1');
    }
  });
}

/** Everything Meta would reject before it reviews content, with a field path for each problem. */
/**
 * A template's `message_send_ttl_seconds` (MMLITE §1.6): 43200–2592000 s (12 h – 30 days) for
 * MARKETING, 30–43200 s for UTILITY; null (none: Meta's default applies) always fits.
 */
export function ttlProblems(category: string, ttl: number | null): TemplateProblem[] {
  if (ttl === null) {
    return [];
  }
  const [min, max] =
    category === 'MARKETING'
      ? [TEMPLATE_LIMITS.marketingTtlMin, TEMPLATE_LIMITS.marketingTtlMax]
      : category === 'UTILITY'
        ? [TEMPLATE_LIMITS.utilityTtlMin, TEMPLATE_LIMITS.utilityTtlMax]
        : [null, null];
  if (min === null || max === null) {
    return [{ field: 'messageSendTtlSeconds', message: `${category} templates take no TTL here` }];
  }
  if (!Number.isInteger(ttl) || ttl < min || ttl > max) {
    return [
      {
        field: 'messageSendTtlSeconds',
        message: `must be a whole number of seconds from ${min} to ${max} for ${category}`,
      },
    ];
  }
  return [];
}

/** Meta edits only APPROVED, REJECTED and PAUSED templates (§3.3). */
export const EDITABLE_TEMPLATE_STATUSES: readonly string[] = ['APPROVED', 'REJECTED', 'PAUSED'];

export function validateTemplate(def: TemplateDefinition): TemplateProblem[] {
  const p = new Problems();
  if (!NAME_RE.test(def.name) || def.name.length > TEMPLATE_LIMITS.nameMax) {
    p.add(
      'name',
      `name must be lowercase letters, digits and underscores, 1–${TEMPLATE_LIMITS.nameMax} characters`,
    );
  }
  if (!LANGUAGE_RE.test(def.language)) {
    p.add('language', 'language must be a code such as en, en_US or pt_BR');
  }
  if (def.category !== 'MARKETING' && def.category !== 'UTILITY') {
    p.add('category', 'category must be MARKETING or UTILITY');
  }
  if (def.parameterFormat !== 'positional' && def.parameterFormat !== 'named') {
    p.add('parameterFormat', 'parameterFormat must be positional or named');
  }
  for (const problem of ttlProblems(def.category, def.messageSendTtlSeconds ?? null)) {
    p.add(problem.field, problem.message);
  }
  const components: TemplateComponent[] = Array.isArray(def.components) ? def.components : [];
  const order = ['HEADER', 'LIMITED_TIME_OFFER', 'BODY', 'FOOTER', 'BUTTONS', 'CAROUSEL'];
  const lto = components.some((c) => c.type === 'LIMITED_TIME_OFFER');
  const seen = new Map<string, number>();
  components.forEach((c, i) => {
    const f = `components[${i}]`;
    const type = (c as { type?: unknown }).type;
    if (typeof type !== 'string' || !order.includes(type)) {
      p.add(`${f}.type`, `type must be one of ${order.join(', ')}`);
      return;
    }
    if (seen.has(type)) {
      p.add(`${f}.type`, `only one ${type} component is allowed`);
    }
    seen.set(type, i);
    switch (c.type) {
      case 'HEADER':
        checkHeader(p, f, c, def);
        break;
      case 'BODY':
        checkBody(p, f, c, def, lto ? TEMPLATE_LIMITS.ltoBodyMax : TEMPLATE_LIMITS.bodyMax);
        break;
      case 'CAROUSEL':
        checkCarousel(p, f, c, def);
        break;
      case 'LIMITED_TIME_OFFER': {
        const text: unknown = c.limited_time_offer?.text;
        if (def.category !== 'MARKETING') {
          p.add(`${f}.type`, 'a limited-time offer is for MARKETING templates only');
        }
        if (typeof text !== 'string' || text.trim() === '') {
          p.add(`${f}.limited_time_offer.text`, 'a limited-time offer needs its text');
        } else if (text.length > TEMPLATE_LIMITS.ltoTextMax) {
          p.add(
            `${f}.limited_time_offer.text`,
            `offer text is ${text.length} characters; at most ${TEMPLATE_LIMITS.ltoTextMax}`,
          );
        } else if (placeholdersOf(text).length) {
          p.add(`${f}.limited_time_offer.text`, 'the offer text may not have placeholders');
        }
        break;
      }
      case 'FOOTER':
        if (typeof c.text !== 'string' || c.text.trim() === '') {
          p.add(`${f}.text`, 'a footer needs text');
        } else {
          if (c.text.length > TEMPLATE_LIMITS.footerMax) {
            p.add(
              `${f}.text`,
              `footer is ${c.text.length} characters; at most ${TEMPLATE_LIMITS.footerMax}`,
            );
          }
          if (placeholdersOf(c.text).length) {
            p.add(`${f}.text`, 'a footer may not have placeholders');
          }
        }
        break;
      case 'BUTTONS':
        checkButtons(p, f, c, lto);
        break;
    }
  });
  if (!seen.has('BODY')) {
    p.add('components', 'a template needs a BODY component');
  }
  p.list.push(...combinationProblems(components, def));
  const positions = order.map((t) => seen.get(t)).filter((x): x is number => x !== undefined);
  if (positions.some((pos, i) => i > 0 && pos < (positions[i - 1] ?? 0))) {
    const present = order.filter(
      (t) => seen.has(t) || ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(t),
    );
    p.add('components', `components must be in the order ${present.join(', ')}`);
  }
  return p.list;
}

/** Rules across components: what a carousel, an offer and catalog / MPM buttons allow beside them. */
function combinationProblems(
  components: TemplateComponent[],
  def: TemplateDefinition,
): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  const find = <T extends TemplateComponent['type']>(
    t: T,
  ): Extract<TemplateComponent, { type: T }> | undefined =>
    components.find((c): c is Extract<TemplateComponent, { type: T }> => c.type === t);
  const header = find('HEADER');
  const buttons = find('BUTTONS')?.buttons ?? [];
  if (find('CAROUSEL')) {
    for (const t of ['HEADER', 'FOOTER', 'BUTTONS', 'LIMITED_TIME_OFFER'] as const) {
      if (find(t)) {
        out.push({
          field: 'components',
          message: `a carousel template has a BODY and the CAROUSEL only; its ${t} belongs on the cards`,
        });
      }
    }
  }
  if (find('LIMITED_TIME_OFFER')) {
    if (find('FOOTER')) {
      out.push({ field: 'components', message: 'a limited-time offer template has no footer' });
    }
    if (header && header.format !== 'IMAGE' && header.format !== 'VIDEO') {
      out.push({
        field: 'components',
        message: 'the header of a limited-time offer is an IMAGE or a VIDEO',
      });
    }
    const code = buttons.findIndex((b) => b.type === 'COPY_CODE');
    const lto = find('LIMITED_TIME_OFFER');
    if (lto?.limited_time_offer?.has_expiration === true && code < 0) {
      out.push({
        field: 'components',
        message: 'a limited-time offer with an expiry needs a COPY_CODE button',
      });
    }
    if (code > 0) {
      out.push({
        field: 'components',
        message: 'in a limited-time offer the copy-code button comes first (index 0)',
      });
    }
  }
  const product = buttons.find((b) => b.type === 'CATALOG' || b.type === 'MPM');
  if (product) {
    if (def.category !== 'MARKETING') {
      out.push({ field: 'components', message: `${product.type} templates are MARKETING only` });
    }
    if (product.type === 'MPM' && (!header || header.format !== 'TEXT')) {
      out.push({
        field: 'components',
        message: 'a multi-product (MPM) template needs a TEXT header',
      });
    }
  }
  return out;
}
