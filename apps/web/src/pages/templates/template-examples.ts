// Meta's templates carry example values for their placeholders (required for review); the
// template page previews with them. Components are Meta's JSON, so they are read defensively.
import type { Template, TemplateParameters } from '../../api/types';

type Json = Record<string, unknown>;

/** A media header's format as the API's parameters name it. */
export const MEDIA_TYPES = {
  IMAGE: 'image',
  VIDEO: 'video',
  GIF: 'gif',
  DOCUMENT: 'document',
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function component(t: Template, type: string): Json | undefined {
  return t.components.find((c) => isObject(c) && c.type === type);
}

function named(example: unknown, key: string): Record<string, string> {
  const list = isObject(example) && Array.isArray(example[key]) ? example[key] : [];
  return Object.fromEntries(
    list
      .filter(isObject)
      .filter((p) => typeof p.param_name === 'string' && typeof p.example === 'string')
      .map((p) => [p.param_name as string, p.example as string]),
  );
}

/** A stand-in for a placeholder without an example. */
const standIn = (name: string) => `[${name}]`;

/** Parameters that fill every placeholder with the template's own examples. */
export function exampleParameters(t: Template): TemplateParameters {
  const p: TemplateParameters = {};
  const header = component(t, 'HEADER');
  const body = component(t, 'BODY');
  const buttons = component(t, 'BUTTONS');
  if (t.parameterFormat === 'named') {
    const h = named(header?.example, 'header_text_named_params');
    const b = named(body?.example, 'body_text_named_params');
    if (t.slots.header.length) {
      p.header = Object.fromEntries(t.slots.header.map((n) => [n, h[n] ?? standIn(n)]));
    }
    if (t.slots.body.length) {
      p.body = Object.fromEntries(t.slots.body.map((n) => [n, b[n] ?? standIn(n)]));
    }
  } else {
    const h = strings(isObject(header?.example) ? header.example.header_text : undefined);
    const rows = isObject(body?.example) ? body.example.body_text : undefined;
    const b = strings(Array.isArray(rows) ? rows[0] : undefined);
    if (t.slots.header.length) {
      p.header = t.slots.header.map((n, i) => h[i] ?? standIn(n));
    }
    if (t.slots.body.length) {
      p.body = t.slots.body.map((n, i) => b[i] ?? standIn(n));
    }
  }
  if (t.slots.headerMedia && t.slots.headerMedia !== 'LOCATION') {
    const handle = strings(isObject(header?.example) ? header.example.header_handle : undefined)[0];
    p.header = {
      type: MEDIA_TYPES[t.slots.headerMedia],
      link: handle ?? 'https://example.com/media',
    };
  }
  if (t.slots.buttons.length) {
    const list = Array.isArray(buttons?.buttons) ? buttons.buttons : [];
    p.buttons = t.slots.buttons.map((s) => {
      const b: unknown = list[s.index];
      const ex = isObject(b) ? b.example : undefined;
      const value = typeof ex === 'string' ? ex : strings(ex)[0];
      return { index: s.index, text: value ?? standIn(String(s.index + 1)) };
    });
  }
  return p;
}

/** Text of the template's component of that type (header text, body, footer), if any. */
export function componentText(t: Template, type: 'HEADER' | 'BODY' | 'FOOTER'): string | null {
  const c = component(t, type);
  return c && typeof c.text === 'string' ? c.text : null;
}

/** Labels of the template's buttons. */
export function buttonLabels(t: Template): string[] {
  const list = component(t, 'BUTTONS')?.buttons;
  return Array.isArray(list)
    ? list.filter(isObject).map((b) => (typeof b.text === 'string' ? b.text : ''))
    : [];
}
