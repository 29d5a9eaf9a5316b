import { linkTargetOf, linkTargets } from './links';
import { fillPlaceholders, placeholdersOf, slotsOf, type TemplateSlots } from './placeholders';
import type { TemplateButton, TemplateDefinition } from './template-model';
import { copyCodeMaxOf, TEMPLATE_LIMITS, type TemplateProblem } from './validate-template';

/**
 * How a campaign binds each placeholder: a literal, a contact field, or a mix
 * (`"Hi {{contact.attributes.firstName}}!"`). Positional templates take arrays, named ones maps.
 */
export interface MediaBinding {
  type: 'image' | 'video' | 'document' | 'gif';
  link?: string;
  id?: string;
  filename?: string;
}

/** A section of a multi-product message: a title and the products (retailer ids) under it. */
export interface ProductSectionBinding {
  title: string;
  productRetailerIds: string[];
}

/**
 * A button's value, by the button's type: `text` is a URL button's suffix or a COPY_CODE button's
 * code; `payload` a quick reply's echo; CATALOG and MPM buttons take a thumbnail product, MPM
 * also its sections. Each string may be a literal or bind contact fields.
 */
export interface ButtonBinding {
  index: number;
  text?: string;
  payload?: string;
  thumbnailProductRetailerId?: string;
  sections?: ProductSectionBinding[];
}

/** One carousel card's values: its media header, its body placeholders, its buttons. */
export interface CardBindings {
  header?: MediaBinding;
  body?: string[] | Record<string, string>;
  buttons?: ButtonBinding[];
}

export interface TemplateBindings {
  header?: string[] | Record<string, string> | MediaBinding;
  body?: string[] | Record<string, string>;
  buttons?: ButtonBinding[];
  /** Carousel templates: one entry per card, in card order (card_index 0, 1, …). */
  cards?: CardBindings[];
  /** Limited-time offers: when the offer ends, as epoch milliseconds or an ISO-8601 time. */
  limitedTimeOffer?: { expirationTimeMs: string };
}

export interface ContactView {
  phone: string;
  locale?: string | null;
  timezone?: string | null;
  attributes: Record<string, unknown>;
}

/** The send-side components of MMLITE.md §2.3–2.6. */
export type SendParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'coupon_code'; coupon_code: string }
  | { type: 'payload'; payload: string }
  | { type: 'image'; image: { id?: string; link?: string } }
  | { type: 'video'; video: { id?: string; link?: string } }
  | { type: 'document'; document: { id?: string; link?: string; filename?: string } }
  | { type: 'limited_time_offer'; limited_time_offer: { expiration_time_ms: number } }
  | {
      type: 'action';
      action: {
        thumbnail_product_retailer_id: string;
        sections?: Array<{ title: string; product_items: Array<{ product_retailer_id: string }> }>;
      };
    };

export interface SendComponent {
  type: 'header' | 'body' | 'button' | 'carousel' | 'limited_time_offer';
  sub_type?: 'url' | 'copy_code' | 'quick_reply' | 'catalog' | 'mpm';
  index?: string;
  parameters?: SendParameter[];
  cards?: Array<{ card_index: number; components: SendComponent[] }>;
}

export interface PreviewButton {
  type: string;
  text: string;
  url?: string;
  /** CATALOG / MPM: the thumbnail product, and an MPM's sections. */
  productRetailerId?: string;
  sections?: ProductSectionBinding[];
}

export interface PreviewCard {
  cardIndex: number;
  header: string | null;
  body: string | null;
  buttons: PreviewButton[];
}

export interface RenderedPreview {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: PreviewButton[];
  /** Carousel cards, each as the recipient sees it (empty without a carousel). */
  cards: PreviewCard[];
  /** A limited-time offer's banner and when it ends (null without one). */
  limitedTimeOffer: { text: string; expiresAt: string | null } | null;
  /** Everything as one block of text, as the recipient roughly sees it. */
  text: string;
}

export type RenderResult =
  | { ok: true; components: SendComponent[]; preview: RenderedPreview }
  | { ok: false; reason: 'missing_attribute'; attribute: string }
  | {
      ok: false;
      reason: 'invalid_parameter';
      /** The contact fields the value came from ('' for a literal). */
      attribute: string;
      /** Where, e.g. `card 2 button 1 (URL suffix)`. */
      location: string;
      message: string;
    };

const EXPRESSION = /\{\{\s*([^{}]+?)\s*\}\}/g;
const FIELD = /^contact\.(phone|locale|timezone|attributes\.[A-Za-z0-9_.-]+)$/;

/**
 * Expressions inside a binding that are neither `contact.*` fields nor tracked links
 * (`{{link:<url>}}`, see links.ts): they would be sent literally.
 */
function badExpressions(binding: string): string[] {
  return [...binding.matchAll(EXPRESSION)]
    .map((m) => m[1] ?? '')
    .filter((e) => !FIELD.test(e) && linkTargetOf(e) === null);
}

function fieldsOf(binding: string): string[] {
  return [...binding.matchAll(EXPRESSION)]
    .map((m) => (m[1] ?? '').trim())
    .filter((e) => linkTargetOf(e) === null)
    .map((e) => e.replace(/^contact\./, ''));
}

class MissingAttribute extends Error {
  constructor(readonly attribute: string) {
    super(attribute);
  }
}

class InvalidValue extends Error {
  constructor(
    readonly location: string,
    readonly attribute: string,
    message: string,
  ) {
    super(message);
  }
}

function lookup(contact: ContactView, path: string): string {
  let value: unknown;
  if (path === 'contact.phone') {
    value = contact.phone;
  } else if (path === 'contact.locale') {
    value = contact.locale;
  } else if (path === 'contact.timezone') {
    value = contact.timezone;
  } else {
    value = path
      .slice('contact.attributes.'.length)
      .split('.')
      .reduce<unknown>(
        (obj, key) =>
          obj !== null && typeof obj === 'object'
            ? (obj as Record<string, unknown>)[key]
            : undefined,
        contact.attributes,
      );
  }
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new MissingAttribute(path.replace(/^contact\./, ''));
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value.toString();
  }
  return JSON.stringify(value);
}

/** Meta refuses text parameters with new lines, tabs or more than four spaces in a row. */
function cleanParameter(value: string): string {
  return value.replace(/[\n\r\t]+/g, ' ').replace(/ {5,}/g, '    ');
}

function resolve(binding: string, contact: ContactView): string {
  return cleanParameter(
    binding.replace(EXPRESSION, (_, expr: string) => lookup(contact, expr.trim())),
  );
}

/** What a value is for: each kind has Meta's format rule (a break of it answers 132012). */
export type ValueKind =
  | 'text'
  | 'url_suffix'
  | 'coupon_code'
  /** The copy-code button of a limited-time offer template (a shorter code). */
  | 'offer_code'
  | 'payload'
  | 'expiration'
  | 'product_id'
  | 'section_title'
  | 'media';

/** Epoch milliseconds of an offer's end: digits as they are, or an ISO-8601 time. */
export function expirationMs(value: string): number | null {
  const v = value.trim();
  if (/^\d{10,16}$/.test(v)) {
    return Number(v);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** Why Meta would refuse this value for that kind of slot, or null (MMLITE §2.3–2.6). */
export function valueProblem(kind: ValueKind, value: string): string | null {
  switch (kind) {
    case 'text':
    case 'payload':
      return value.trim() === '' ? 'is empty' : null;
    case 'url_suffix':
      return value.trim() === '' ? 'is empty' : null;
    case 'coupon_code':
    case 'offer_code': {
      if (value.trim() === '') {
        return 'is empty';
      }
      const max = copyCodeMaxOf(kind === 'offer_code');
      return value.length > max
        ? `coupon code "${value}" has ${value.length} characters; at most ${max}`
        : /\s/.test(value)
          ? `coupon code "${value}" contains spaces`
          : null;
    }
    case 'expiration':
      return expirationMs(value) === null
        ? `"${value}" is not an expiry time (epoch milliseconds or ISO-8601)`
        : null;
    case 'product_id':
      return value.trim() === '' || /\s/.test(value)
        ? `"${value}" is not a product retailer id`
        : null;
    case 'section_title':
      return value.trim() === '' || value.length > TEMPLATE_LIMITS.mpmSectionTitleMax
        ? `section title "${value}" must have 1 to ${TEMPLATE_LIMITS.mpmSectionTitleMax} characters`
        : null;
    case 'media':
      // Meta takes http(s) links or the id of uploaded media.
      return /^https?:\/\/\S+$/i.test(value) || /^\d+$/.test(value)
        ? null
        : `"${value}" is neither an http(s) link nor a media id`;
  }
}

/** Resolves one slot's binding for a contact and checks it against its kind's rule. */
function resolveSlot(
  binding: string,
  contact: ContactView,
  kind: ValueKind,
  location: string,
): string {
  const value = resolve(binding, contact);
  const problem = valueProblem(kind, value);
  if (problem) {
    throw new InvalidValue(location, fieldsOf(binding).join(', '), `${location}: ${problem}`);
  }
  return value;
}

function isMedia(h: unknown): h is MediaBinding {
  return (
    !!h &&
    !Array.isArray(h) &&
    typeof (h as MediaBinding).type === 'string' &&
    ['image', 'video', 'document', 'gif'].includes((h as MediaBinding).type)
  );
}

function valuesFor(
  names: string[],
  given: string[] | Record<string, string> | undefined,
): Map<string, string> | null {
  if (names.length === 0) {
    return new Map();
  }
  if (!given) {
    return null;
  }
  const out = new Map<string, string>();
  if (Array.isArray(given)) {
    names.forEach((n, i) => {
      const v = given[i];
      if (typeof v === 'string') {
        out.set(n, v);
      }
    });
  } else {
    for (const n of names) {
      const v = given[n];
      if (typeof v === 'string') {
        out.set(n, v);
      }
    }
  }
  return out;
}

/**
 * Every value a send takes, with where it goes (`card 2 body param 1`), its field path in the
 * campaign's `parameters`, what kind of value it is and the binding given for it (null: none).
 * The one list that binding checks, plan-time checks and rendering agree on.
 */
export interface BoundSlot {
  location: string;
  field: string;
  kind: ValueKind;
  binding: string | null;
}

function buttonOf(buttons: ButtonBinding[] | undefined, index: number): ButtonBinding | undefined {
  return (buttons ?? []).find((x) => x.index === index);
}

function mediaSlot(location: string, field: string, h: unknown): BoundSlot {
  const media = isMedia(h) ? (h.link ?? h.id ?? null) : null;
  return { location, field, kind: 'media', binding: typeof media === 'string' ? media : null };
}

function groupSlots(
  names: string[],
  given: string[] | Record<string, string> | undefined,
  where: string,
  field: string,
  positional: boolean,
): BoundSlot[] {
  const values = valuesFor(names, given) ?? new Map<string, string>();
  return names.map((n, i) => ({
    location: `${where} param ${positional ? n : `{{${n}}}`}`,
    field: `${field}${positional ? `[${i}]` : `.${n}`}`,
    kind: 'text' as const,
    binding: values.get(n) ?? null,
  }));
}

function productSlots(
  b: ButtonBinding | undefined,
  type: 'CATALOG' | 'MPM',
  where: string,
  field: string,
): BoundSlot[] {
  const out: BoundSlot[] = [
    {
      location: `${where} (${type} thumbnail product)`,
      field: `${field}.thumbnailProductRetailerId`,
      kind: 'product_id',
      binding: b?.thumbnailProductRetailerId ?? null,
    },
  ];
  if (type === 'MPM') {
    (b?.sections ?? []).forEach((sec, si) => {
      out.push({
        location: `${where} section ${si + 1} title`,
        field: `${field}.sections[${si}].title`,
        kind: 'section_title',
        binding: typeof sec?.title === 'string' ? sec.title : null,
      });
      (Array.isArray(sec?.productRetailerIds) ? sec.productRetailerIds : []).forEach((id, pi) => {
        out.push({
          location: `${where} section ${si + 1} product ${pi + 1}`,
          field: `${field}.sections[${si}].productRetailerIds[${pi}]`,
          kind: 'product_id',
          binding: typeof id === 'string' ? id : null,
        });
      });
    });
  }
  return out;
}

/** The value slots of a template under a campaign's bindings (see BoundSlot). */
export function boundSlots(def: TemplateDefinition, b: TemplateBindings): BoundSlot[] {
  const slots = slotsOf(def.components, def.parameterFormat);
  const positional = def.parameterFormat === 'positional';
  const out: BoundSlot[] = [];
  if (slots.headerMedia && slots.headerMedia !== 'LOCATION') {
    out.push(mediaSlot('header media', 'parameters.header', b.header));
  } else if (!isMedia(b.header)) {
    out.push(...groupSlots(slots.header, b.header, 'header', 'parameters.header', positional));
  }
  if (slots.limitedTimeOffer && ltoHasExpiration(def)) {
    out.push({
      location: 'limited-time offer expiry',
      field: 'parameters.limitedTimeOffer.expirationTimeMs',
      kind: 'expiration',
      binding:
        typeof b.limitedTimeOffer?.expirationTimeMs === 'string'
          ? b.limitedTimeOffer.expirationTimeMs
          : null,
    });
  }
  out.push(...groupSlots(slots.body, b.body, 'body', 'parameters.body', positional));
  for (const need of slots.buttons) {
    const given = buttonOf(b.buttons, need.index);
    out.push({
      location: `button ${need.index + 1} (${need.type === 'URL' ? 'URL suffix' : 'coupon code'})`,
      field: `parameters.buttons[index=${need.index}].text`,
      kind: need.type === 'URL' ? 'url_suffix' : copyCodeKind(slots),
      binding: typeof given?.text === 'string' && given.text !== '' ? given.text : null,
    });
  }
  for (const need of slots.productButtons) {
    out.push(
      ...productSlots(
        buttonOf(b.buttons, need.index),
        need.type,
        `button ${need.index + 1}`,
        `parameters.buttons[index=${need.index}]`,
      ),
    );
  }
  slots.cards.forEach((card, ci) => {
    const given = b.cards?.[ci];
    const where = `card ${ci + 1}`;
    const field = `parameters.cards[${ci}]`;
    out.push(mediaSlot(`${where} header media`, `${field}.header`, given?.header));
    out.push(...groupSlots(card.body, given?.body, `${where} body`, `${field}.body`, positional));
    for (const need of card.buttons) {
      const bound = buttonOf(given?.buttons, need.index);
      out.push({
        location: `${where} button ${need.index + 1} (URL suffix)`,
        field: `${field}.buttons[index=${need.index}].text`,
        kind: 'url_suffix',
        binding: typeof bound?.text === 'string' && bound.text !== '' ? bound.text : null,
      });
    }
  });
  return out;
}

function ltoHasExpiration(def: TemplateDefinition): boolean {
  return def.components.some(
    (c) => c.type === 'LIMITED_TIME_OFFER' && c.limited_time_offer?.has_expiration === true,
  );
}

/** Meta's template buttons with their types, top level or of one card. */
function templateButtons(
  components: ReadonlyArray<{ type: string; buttons?: TemplateButton[] }>,
): TemplateButton[] {
  const c = components.find((x) => x.type === 'BUTTONS');
  return Array.isArray(c?.buttons) ? c.buttons : [];
}

function buttonBindingProblems(
  given: ButtonBinding[] | undefined,
  buttons: TemplateButton[],
  where: string,
  field: string,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const g of given ?? []) {
    const button = buttons[g.index];
    const at = `${field}.${g.index}`;
    if (!button) {
      problems.push({ field, message: `button ${g.index} takes no value` });
      continue;
    }
    const valued: Record<string, boolean> = {
      text:
        (button.type === 'URL' && placeholdersOf(button.url).length > 0) ||
        button.type === 'COPY_CODE',
      payload: button.type === 'QUICK_REPLY',
      thumbnailProductRetailerId: button.type === 'CATALOG' || button.type === 'MPM',
      sections: button.type === 'MPM',
    };
    const keys = (['text', 'payload', 'thumbnailProductRetailerId', 'sections'] as const).filter(
      (k) => g[k] !== undefined,
    );
    if (keys.length === 0 || keys.some((k) => !valued[k])) {
      problems.push({ field, message: `button ${g.index} takes no value` });
      continue;
    }
    if (button.type === 'MPM') {
      const sections = Array.isArray(g.sections) ? g.sections : [];
      const products = sections.reduce(
        (n, sec) =>
          n + (Array.isArray(sec?.productRetailerIds) ? sec.productRetailerIds.length : 0),
        0,
      );
      if (sections.length === 0 || sections.length > TEMPLATE_LIMITS.mpmSectionsMax) {
        problems.push({
          field: `${at}.sections`,
          message: `${where} button ${g.index + 1} (MPM) needs 1 to ${TEMPLATE_LIMITS.mpmSectionsMax} sections`,
        });
      } else if (
        sections.some(
          (sec) => !Array.isArray(sec?.productRetailerIds) || !sec.productRetailerIds.length,
        )
      ) {
        problems.push({
          field: `${at}.sections`,
          message: `${where} button ${g.index + 1} (MPM): every section needs products`,
        });
      } else if (products > TEMPLATE_LIMITS.mpmProductsMax) {
        problems.push({
          field: `${at}.sections`,
          message: `${where} button ${g.index + 1} (MPM) has ${products} products; at most ${TEMPLATE_LIMITS.mpmProductsMax}`,
        });
      }
    }
  }
  return problems;
}

/** Checks a campaign's bindings against the template before anything is sent. */
export function validateBindings(def: TemplateDefinition, b: TemplateBindings): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const slots = slotsOf(def.components, def.parameterFormat);
  const checkGroup = (
    field: string,
    label: string,
    names: string[],
    given: string[] | Record<string, string> | undefined,
  ): void => {
    if (names.length === 0) {
      const extra = Array.isArray(given) ? given.length : given ? Object.keys(given).length : 0;
      if (extra > 0) {
        problems.push({ field, message: `the template's ${label} has no placeholders` });
      }
      return;
    }
    if (def.parameterFormat === 'positional' && !Array.isArray(given)) {
      problems.push({ field, message: `give ${names.length} value(s) as an array` });
      return;
    }
    if (def.parameterFormat === 'named' && (Array.isArray(given) || !given)) {
      problems.push({
        field,
        message: `give an object with ${names.map((n) => `"${n}"`).join(', ')}`,
      });
      return;
    }
    const values = valuesFor(names, given) ?? new Map<string, string>();
    const count = Array.isArray(given) ? given.length : Object.keys(given ?? {}).length;
    if (values.size !== names.length || count !== names.length) {
      problems.push({
        field,
        message: `the template's ${label} has ${names.length} placeholder(s) (${names.map((n) => `{{${n}}}`).join(', ')}); ${count} value(s) given`,
      });
    }
  };
  if (slots.headerMedia && slots.headerMedia !== 'LOCATION') {
    if (!isMedia(b.header) || (!b.header.link && !b.header.id)) {
      problems.push({
        field: 'parameters.header',
        message: `the ${slots.headerMedia} header needs { type, link | id }`,
      });
    }
  } else if (isMedia(b.header)) {
    problems.push({ field: 'parameters.header', message: 'the template has no media header' });
  } else {
    checkGroup('parameters.header', 'header', slots.header, b.header);
  }
  checkGroup('parameters.body', 'body', slots.body, b.body);
  problems.push(
    ...buttonBindingProblems(b.buttons, templateButtons(def.components), '', 'parameters.buttons'),
  );
  for (const need of [...slots.buttons, ...slots.productButtons]) {
    const given = buttonOf(b.buttons, need.index);
    const missing =
      need.type === 'URL' || need.type === 'COPY_CODE'
        ? typeof given?.text !== 'string' || given.text === ''
        : typeof given?.thumbnailProductRetailerId !== 'string' ||
          (need.type === 'MPM' && !Array.isArray(given.sections));
    if (missing) {
      problems.push({
        field: 'parameters.buttons',
        message: `button ${need.index} (${need.type}) needs a value`,
      });
    }
  }
  // Carousel cards: one binding per card, each with its media and its own values.
  const carousel = def.components.find((c) => c.type === 'CAROUSEL');
  const cards =
    carousel?.type === 'CAROUSEL' && Array.isArray(carousel.cards) ? carousel.cards : [];
  if (cards.length === 0 && b.cards !== undefined) {
    problems.push({ field: 'parameters.cards', message: 'the template has no carousel' });
  } else if (cards.length > 0 && (!Array.isArray(b.cards) || b.cards.length !== cards.length)) {
    problems.push({
      field: 'parameters.cards',
      message: `the carousel has ${cards.length} cards; give one entry per card (${Array.isArray(b.cards) ? b.cards.length : 0} given)`,
    });
  } else {
    slots.cards.forEach((card, ci) => {
      const given = b.cards?.[ci] ?? {};
      const field = `parameters.cards[${ci}]`;
      const want = card.headerMedia?.toLowerCase();
      if (!isMedia(given.header) || (!given.header.link && !given.header.id)) {
        problems.push({
          field: `${field}.header`,
          message: `card ${ci + 1} header needs { type: ${want ?? 'image'}, link | id }`,
        });
      } else if (want && given.header.type !== want) {
        problems.push({
          field: `${field}.header`,
          message: `card ${ci + 1} header is ${card.headerMedia}, not ${given.header.type}`,
        });
      }
      checkGroup(`${field}.body`, `card ${ci + 1} body`, card.body, given.body);
      const buttons = templateButtons(cards[ci]?.components ?? []);
      problems.push(
        ...buttonBindingProblems(given.buttons, buttons, `card ${ci + 1}`, `${field}.buttons`),
      );
    });
  }
  if (!ltoHasExpiration(def) && b.limitedTimeOffer !== undefined) {
    problems.push({
      field: 'parameters.limitedTimeOffer',
      message: 'the template has no limited-time offer with an expiry',
    });
  }
  // Every slot: given, with known fields only, and a literal value Meta would accept.
  for (const slot of boundSlots(def, b)) {
    if (slot.binding === null) {
      if (
        slot.kind === 'expiration' ||
        slot.kind === 'url_suffix' ||
        slot.field.includes('cards')
      ) {
        if (!problems.some((p) => slot.field.startsWith(p.field))) {
          problems.push({ field: slot.field, message: `${slot.location} needs a value` });
        }
      }
      continue;
    }
    const bad = badExpressions(slot.binding);
    if (bad.length) {
      problems.push({
        field: slot.field,
        message: `${slot.location}: unknown field {{${bad[0]}}}; use contact.phone, contact.locale, contact.timezone or contact.attributes.<name>`,
      });
      continue;
    }
    if (linkTargets({ body: [slot.binding] }).length > 0 && !LINKABLE.test(slot.field)) {
      problems.push({
        field: slot.field,
        message: `${slot.location}: tracked links go in the header, the body or a top-level URL button`,
      });
      continue;
    }
    if (fieldsOf(slot.binding).length === 0 && linkTargets({ body: [slot.binding] }).length === 0) {
      const problem = valueProblem(slot.kind, cleanParameter(slot.binding));
      if (problem) {
        problems.push({ field: slot.field, message: `${slot.location}: ${problem}` });
      }
    }
  }
  return problems;
}

/** Where `{{link:…}}` may stand (links.ts rewrites these only). */
const LINKABLE = /^parameters\.(header[[.]|body\b)|^parameters\.buttons\[index=\d+\]\.text$/;

function textParams(
  slots: BoundSlot[],
  names: string[],
  named: boolean,
  contact: ContactView,
): SendParameter[] {
  return names.map((n, i) => ({
    type: 'text' as const,
    text: resolveSlot(slots[i]?.binding ?? '', contact, 'text', slots[i]?.location ?? n),
    ...(named ? { parameter_name: n } : {}),
  }));
}

function mediaParam(m: MediaBinding, contact: ContactView, location: string): SendParameter {
  const at = (v: string | undefined): string | undefined =>
    v === undefined ? undefined : resolveSlot(v, contact, 'media', location);
  const link = at(m.link);
  const id = at(m.id);
  return m.type === 'document'
    ? {
        type: 'document',
        document: {
          ...(id ? { id } : {}),
          ...(link ? { link } : {}),
          ...(m.filename ? { filename: m.filename } : {}),
        },
      }
    : m.type === 'image'
      ? { type: 'image', image: { id, link } }
      : { type: 'video', video: { id, link } };
}

/** Renders the buttons of a template (or of one card) into send components and preview buttons. */
/** A copy-code button's kind of value: an offer code in a limited-time offer, else a coupon code. */
function copyCodeKind(slots: TemplateSlots): 'coupon_code' | 'offer_code' {
  return slots.limitedTimeOffer ? 'offer_code' : 'coupon_code';
}

function renderButtons(
  buttons: TemplateButton[],
  given: ButtonBinding[] | undefined,
  contact: ContactView,
  where: string,
  components: SendComponent[],
  preview: PreviewButton[],
  codeKind: 'coupon_code' | 'offer_code' = 'coupon_code',
): void {
  const prefix = where ? `${where} ` : '';
  buttons.forEach((button, index) => {
    const bound = buttonOf(given, index);
    const at = `${prefix}button ${index + 1}`;
    if (button.type === 'URL' && button.url && bound?.text !== undefined) {
      const suffix = encodeURIComponent(
        resolveSlot(bound.text, contact, 'url_suffix', `${at} (URL suffix)`),
      );
      components.push({
        type: 'button',
        sub_type: 'url',
        index: String(index),
        parameters: [{ type: 'text', text: suffix }],
      });
      preview.push({
        type: 'URL',
        text: button.text,
        url: fillPlaceholders(button.url, () => suffix),
      });
    } else if (button.type === 'COPY_CODE' && bound?.text !== undefined) {
      const code = resolveSlot(bound.text, contact, codeKind, `${at} (coupon code)`);
      components.push({
        type: 'button',
        sub_type: 'copy_code',
        index: String(index),
        parameters: [{ type: 'coupon_code', coupon_code: code }],
      });
      preview.push({ type: 'COPY_CODE', text: code });
    } else if (button.type === 'QUICK_REPLY' && bound?.payload !== undefined) {
      const payload = resolveSlot(bound.payload, contact, 'payload', `${at} (payload)`);
      components.push({
        type: 'button',
        sub_type: 'quick_reply',
        index: String(index),
        parameters: [{ type: 'payload', payload }],
      });
      preview.push({ type: 'QUICK_REPLY', text: button.text });
    } else if (
      (button.type === 'CATALOG' || button.type === 'MPM') &&
      bound?.thumbnailProductRetailerId !== undefined
    ) {
      const thumbnail = resolveSlot(
        bound.thumbnailProductRetailerId,
        contact,
        'product_id',
        `${at} (${button.type} thumbnail product)`,
      );
      const sections = (button.type === 'MPM' ? (bound.sections ?? []) : []).map((sec, si) => ({
        title: resolveSlot(sec.title, contact, 'section_title', `${at} section ${si + 1} title`),
        productRetailerIds: sec.productRetailerIds.map((id, pi) =>
          resolveSlot(id, contact, 'product_id', `${at} section ${si + 1} product ${pi + 1}`),
        ),
      }));
      components.push({
        type: 'button',
        sub_type: button.type === 'MPM' ? 'mpm' : 'catalog',
        index: String(index),
        parameters: [
          {
            type: 'action',
            action: {
              thumbnail_product_retailer_id: thumbnail,
              ...(button.type === 'MPM'
                ? {
                    sections: sections.map((sec) => ({
                      title: sec.title,
                      product_items: sec.productRetailerIds.map((id) => ({
                        product_retailer_id: id,
                      })),
                    })),
                  }
                : {}),
            },
          },
        ],
      });
      preview.push({
        type: button.type,
        text: button.text,
        productRetailerId: thumbnail,
        ...(button.type === 'MPM' ? { sections } : {}),
      });
    } else {
      preview.push({
        type: button.type,
        text: button.text,
        ...(button.url ? { url: button.url } : {}),
      });
    }
  });
}

function bodyOf(
  text: string,
  slots: BoundSlot[],
  names: string[],
  named: boolean,
  contact: ContactView,
): { params: SendParameter[]; text: string } {
  const params = textParams(slots, names, named, contact);
  const byName = new Map(names.map((n, i) => [n, (params[i] as { text: string }).text]));
  return { params, text: fillPlaceholders(text, (n) => byName.get(n) ?? '') };
}

/**
 * Renders a template for one contact: the components to send and the preview text. The same
 * function serves the preview endpoint and the campaign sender, so what is previewed is sent.
 * Bindings must have passed validateBindings; a contact lacking a bound attribute is a skip, and
 * a value Meta would refuse (a coupon code too long, no expiry time…) is `invalid_parameter`.
 */
export function renderTemplate(
  def: TemplateDefinition,
  b: TemplateBindings,
  contact: ContactView,
): RenderResult {
  const slots: TemplateSlots = slotsOf(def.components, def.parameterFormat);
  const named = def.parameterFormat === 'named';
  const bound = boundSlots(def, b);
  const slotsAt = (prefix: string): BoundSlot[] =>
    bound.filter(
      (s) =>
        s.kind === 'text' && (s.field.startsWith(`${prefix}[`) || s.field.startsWith(`${prefix}.`)),
    );
  try {
    const components: SendComponent[] = [];
    const preview: RenderedPreview = {
      header: null,
      body: '',
      footer: null,
      buttons: [],
      cards: [],
      limitedTimeOffer: null,
      text: '',
    };
    for (const c of def.components) {
      if (c.type === 'HEADER') {
        if (c.format === 'TEXT' && c.text) {
          const r = bodyOf(c.text, slotsAt('parameters.header'), slots.header, named, contact);
          preview.header = r.text;
          if (r.params.length) {
            components.push({ type: 'header', parameters: r.params });
          }
        } else if (isMedia(b.header)) {
          components.push({
            type: 'header',
            parameters: [mediaParam(b.header, contact, 'header media')],
          });
          preview.header = `[${c.format.toLowerCase()}]`;
        }
      } else if (c.type === 'BODY') {
        const r = bodyOf(c.text, slotsAt('parameters.body'), slots.body, named, contact);
        preview.body = r.text;
        if (r.params.length) {
          components.push({ type: 'body', parameters: r.params });
        }
      } else if (c.type === 'FOOTER') {
        preview.footer = c.text;
      } else if (c.type === 'BUTTONS') {
        renderButtons(
          c.buttons,
          b.buttons,
          contact,
          '',
          components,
          preview.buttons,
          copyCodeKind(slots),
        );
      } else if (c.type === 'LIMITED_TIME_OFFER') {
        let expiresAt: string | null = null;
        const given = b.limitedTimeOffer?.expirationTimeMs;
        if (c.limited_time_offer?.has_expiration === true && given !== undefined) {
          const at = 'limited-time offer expiry';
          const ms = expirationMs(resolveSlot(given, contact, 'expiration', at)) as number;
          components.push({
            type: 'limited_time_offer',
            parameters: [
              { type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: ms } },
            ],
          });
          expiresAt = new Date(ms).toISOString();
        }
        preview.limitedTimeOffer = { text: c.limited_time_offer?.text ?? '', expiresAt };
      } else {
        const cards: Array<{ card_index: number; components: SendComponent[] }> = [];
        (c.cards ?? []).forEach((card, ci) => {
          const given = b.cards?.[ci] ?? {};
          const where = `card ${ci + 1}`;
          const parts: SendComponent[] = [];
          const view: PreviewCard = { cardIndex: ci, header: null, body: null, buttons: [] };
          for (const part of card.components) {
            if (part.type === 'HEADER') {
              if (isMedia(given.header)) {
                parts.push({
                  type: 'header',
                  parameters: [mediaParam(given.header, contact, `${where} header media`)],
                });
                view.header =
                  `[${part.format.toLowerCase()}] ${given.header.link ?? given.header.id ?? ''}`.trim();
              }
            } else if (part.type === 'BODY') {
              const r = bodyOf(
                part.text,
                slotsAt(`parameters.cards[${ci}].body`),
                slots.cards[ci]?.body ?? [],
                named,
                contact,
              );
              view.body = r.text;
              if (r.params.length) {
                parts.push({ type: 'body', parameters: r.params });
              }
            } else {
              renderButtons(part.buttons, given.buttons, contact, where, parts, view.buttons);
            }
          }
          cards.push({ card_index: ci, components: parts });
          preview.cards.push(view);
        });
        components.push({ type: 'carousel', cards });
      }
    }
    preview.text = [
      preview.header,
      preview.limitedTimeOffer
        ? `${preview.limitedTimeOffer.text}${preview.limitedTimeOffer.expiresAt ? ` (ends ${preview.limitedTimeOffer.expiresAt})` : ''}`
        : null,
      preview.body,
      preview.footer,
      preview.buttons.length ? preview.buttons.map((x) => `[${x.text}]`).join(' ') : null,
      ...preview.cards.map((card) =>
        [
          `Card ${card.cardIndex + 1}: ${card.header ?? ''}`.trim(),
          card.body,
          card.buttons.length ? card.buttons.map((x) => `[${x.text}]`).join(' ') : null,
        ]
          .filter((x): x is string => !!x)
          .join('\n'),
      ),
    ]
      .filter((x): x is string => !!x)
      .join('\n\n');
    return { ok: true, components, preview };
  } catch (e) {
    if (e instanceof MissingAttribute) {
      return { ok: false, reason: 'missing_attribute', attribute: e.attribute };
    }
    if (e instanceof InvalidValue) {
      return {
        ok: false,
        reason: 'invalid_parameter',
        attribute: e.attribute,
        location: e.location,
        message: e.message,
      };
    }
    throw e;
  }
}

/** Attributes a set of bindings reads, e.g. ['attributes.firstName'] — for planning and skips. */
export function boundFields(b: TemplateBindings): string[] {
  const texts: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      texts.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(collect);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(collect);
    }
  };
  collect(b.header);
  collect(b.body);
  collect(b.buttons);
  collect(b.cards);
  collect(b.limitedTimeOffer);
  const out = new Set<string>();
  for (const t of texts) {
    for (const e of fieldsOf(t)) {
      out.add(e);
    }
  }
  return [...out];
}

/** One slot for one contact: a bound field the contact lacks, or why Meta would refuse its value. */
export function checkSlot(
  slot: BoundSlot,
  contact: ContactView,
): { value: string } | { missing: string } | { invalid: string } | null {
  if (slot.binding === null) {
    return null;
  }
  try {
    return { value: resolveSlot(slot.binding, contact, slot.kind, slot.location) };
  } catch (e) {
    if (e instanceof MissingAttribute) {
      return { missing: e.attribute };
    }
    if (e instanceof InvalidValue) {
      return { invalid: e.message };
    }
    throw e;
  }
}

/** Contact fields a slot's binding reads (`attributes.city`), tracked links aside. */
export function slotFields(slot: BoundSlot): string[] {
  return slot.binding === null ? [] : [...new Set(fieldsOf(slot.binding))];
}
