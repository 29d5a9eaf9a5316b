import { linkTargetOf } from './links';
import { fillPlaceholders, slotsOf, type TemplateSlots } from './placeholders';
import type { TemplateDefinition } from './template-model';
import type { TemplateProblem } from './validate-template';

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

export interface TemplateBindings {
  header?: string[] | Record<string, string> | MediaBinding;
  body?: string[] | Record<string, string>;
  buttons?: Array<{ index: number; text: string }>;
}

export interface ContactView {
  phone: string;
  locale?: string | null;
  timezone?: string | null;
  attributes: Record<string, unknown>;
}

/** The send-side components of MMLITE.md §2.3–2.4. */
export type SendParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'coupon_code'; coupon_code: string }
  | { type: 'image'; image: { id?: string; link?: string } }
  | { type: 'video'; video: { id?: string; link?: string } }
  | { type: 'document'; document: { id?: string; link?: string; filename?: string } };

export interface SendComponent {
  type: 'header' | 'body' | 'button';
  sub_type?: 'url' | 'copy_code';
  index?: string;
  parameters: SendParameter[];
}

export interface RenderedPreview {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: Array<{ type: string; text: string; url?: string }>;
  /** Everything as one block of text, as the recipient roughly sees it. */
  text: string;
}

export type RenderResult =
  | { ok: true; components: SendComponent[]; preview: RenderedPreview }
  | { ok: false; reason: 'missing_attribute'; attribute: string };

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

class MissingAttribute extends Error {
  constructor(readonly attribute: string) {
    super(attribute);
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

function isMedia(h: TemplateBindings['header']): h is MediaBinding {
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

/** Checks a campaign's bindings against the template before anything is sent. */
export function validateBindings(def: TemplateDefinition, b: TemplateBindings): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const slots = slotsOf(def.components, def.parameterFormat);
  const checkGroup = (
    field: 'header' | 'body',
    names: string[],
    given: string[] | Record<string, string> | undefined,
  ): void => {
    if (names.length === 0) {
      const extra = Array.isArray(given) ? given.length : given ? Object.keys(given).length : 0;
      if (extra > 0) {
        problems.push({
          field: `parameters.${field}`,
          message: `the template's ${field} has no placeholders`,
        });
      }
      return;
    }
    if (def.parameterFormat === 'positional' && !Array.isArray(given)) {
      problems.push({
        field: `parameters.${field}`,
        message: `give ${names.length} value(s) as an array`,
      });
      return;
    }
    if (def.parameterFormat === 'named' && (Array.isArray(given) || !given)) {
      problems.push({
        field: `parameters.${field}`,
        message: `give an object with ${names.map((n) => `"${n}"`).join(', ')}`,
      });
      return;
    }
    const values = valuesFor(names, given) ?? new Map<string, string>();
    const count = Array.isArray(given) ? given.length : Object.keys(given ?? {}).length;
    if (values.size !== names.length || count !== names.length) {
      problems.push({
        field: `parameters.${field}`,
        message: `the template's ${field} has ${names.length} placeholder(s) (${names.map((n) => `{{${n}}}`).join(', ')}); ${count} value(s) given`,
      });
    }
    for (const [name, v] of values) {
      const bad = badExpressions(v);
      if (bad.length) {
        problems.push({
          field: `parameters.${field}.${name}`,
          message: `unknown field {{${bad[0]}}}; use contact.phone, contact.locale, contact.timezone or contact.attributes.<name>`,
        });
      }
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
    checkGroup('header', slots.header, b.header);
  }
  checkGroup('body', slots.body, b.body);
  const buttons = b.buttons ?? [];
  for (const need of slots.buttons) {
    const given = buttons.find((x) => x.index === need.index);
    if (!given || typeof given.text !== 'string' || given.text === '') {
      problems.push({
        field: 'parameters.buttons',
        message: `button ${need.index} (${need.type}) needs a value`,
      });
    } else if (badExpressions(given.text).length) {
      problems.push({
        field: `parameters.buttons.${need.index}`,
        message: `unknown field {{${badExpressions(given.text)[0]}}}`,
      });
    }
  }
  for (const g of buttons) {
    if (!slots.buttons.some((s) => s.index === g.index)) {
      problems.push({ field: 'parameters.buttons', message: `button ${g.index} takes no value` });
    }
  }
  return problems;
}

function textParams(
  names: string[],
  values: Map<string, string>,
  named: boolean,
  contact: ContactView,
): SendParameter[] {
  return names.map((n) => ({
    type: 'text' as const,
    text: resolve(values.get(n) ?? '', contact),
    ...(named ? { parameter_name: n } : {}),
  }));
}

/**
 * Renders a template for one contact: the components to send and the preview text. The same
 * function serves the preview endpoint and the campaign sender, so what is previewed is sent.
 * Bindings must have passed validateBindings; a contact lacking a bound attribute is a skip.
 */
export function renderTemplate(
  def: TemplateDefinition,
  b: TemplateBindings,
  contact: ContactView,
): RenderResult {
  const slots: TemplateSlots = slotsOf(def.components, def.parameterFormat);
  const named = def.parameterFormat === 'named';
  try {
    const components: SendComponent[] = [];
    const preview: RenderedPreview = {
      header: null,
      body: '',
      footer: null,
      buttons: [],
      text: '',
    };
    for (const c of def.components) {
      if (c.type === 'HEADER') {
        if (c.format === 'TEXT' && c.text) {
          const values =
            valuesFor(slots.header, b.header as string[] | Record<string, string>) ??
            new Map<string, string>();
          const params = textParams(slots.header, values, named, contact);
          const byName = new Map(
            slots.header.map((n, i) => [n, (params[i] as { text: string }).text]),
          );
          preview.header = fillPlaceholders(c.text, (n) => byName.get(n) ?? '');
          if (params.length) {
            components.push({ type: 'header', parameters: params });
          }
        } else if (isMedia(b.header)) {
          const { type, ...media } = b.header;
          const param: SendParameter =
            type === 'document'
              ? { type: 'document', document: media }
              : type === 'image'
                ? { type: 'image', image: { id: media.id, link: media.link } }
                : { type: 'video', video: { id: media.id, link: media.link } };
          components.push({ type: 'header', parameters: [param] });
          preview.header = `[${c.format.toLowerCase()}]`;
        }
      } else if (c.type === 'BODY') {
        const values = valuesFor(slots.body, b.body) ?? new Map<string, string>();
        const params = textParams(slots.body, values, named, contact);
        const byName = new Map(slots.body.map((n, i) => [n, (params[i] as { text: string }).text]));
        preview.body = fillPlaceholders(c.text, (n) => byName.get(n) ?? '');
        if (params.length) {
          components.push({ type: 'body', parameters: params });
        }
      } else if (c.type === 'FOOTER') {
        preview.footer = c.text;
      } else {
        c.buttons.forEach((button, index) => {
          const bound = (b.buttons ?? []).find((x) => x.index === index);
          if (button.type === 'URL' && button.url && bound) {
            const suffix = encodeURIComponent(resolve(bound.text, contact));
            components.push({
              type: 'button',
              sub_type: 'url',
              index: String(index),
              parameters: [{ type: 'text', text: suffix }],
            });
            preview.buttons.push({
              type: 'URL',
              text: button.text,
              url: fillPlaceholders(button.url, () => suffix),
            });
          } else if (button.type === 'COPY_CODE' && bound) {
            const code = resolve(bound.text, contact);
            components.push({
              type: 'button',
              sub_type: 'copy_code',
              index: String(index),
              parameters: [{ type: 'coupon_code', coupon_code: code }],
            });
            preview.buttons.push({ type: 'COPY_CODE', text: code });
          } else {
            preview.buttons.push({
              type: button.type,
              text: button.text,
              ...(button.url ? { url: button.url } : {}),
            });
          }
        });
      }
    }
    preview.text = [
      preview.header,
      preview.body,
      preview.footer,
      preview.buttons.length ? preview.buttons.map((x) => `[${x.text}]`).join(' ') : null,
    ]
      .filter((x): x is string => !!x)
      .join('\n\n');
    return { ok: true, components, preview };
  } catch (e) {
    if (e instanceof MissingAttribute) {
      return { ok: false, reason: 'missing_attribute', attribute: e.attribute };
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
  collect(b.header && !isMedia(b.header) ? b.header : undefined);
  collect(b.body);
  collect((b.buttons ?? []).map((x) => x.text));
  const out = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(EXPRESSION)) {
      const e = (m[1] ?? '').trim();
      if (linkTargetOf(e) === null) {
        out.add(e.replace(/^contact\./, ''));
      }
    }
  }
  return [...out];
}
