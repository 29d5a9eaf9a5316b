// The New campaign form's rules, as pure functions: which values a template needs, how the
// marketer's entries become the API's `parameters`, which contact fields can be bound.
import type { Member, Template, TemplateParameters } from '../../api/types';
import { MEDIA_TYPES } from '../templates/template-examples';

export interface Slot {
  /** Key in the form's values: `header:1`, `body:first_name`, `button:0`. */
  key: string;
  group: 'header' | 'body' | 'button';
  /** The placeholder's name (`1`, `first_name`) or the button's index. */
  name: string;
  label: string;
}

/** Every value the template needs, in the order the API expects them. */
export function slotsOf(t: Template): Slot[] {
  return [
    ...t.slots.header.map((name) => ({
      key: `header:${name}`,
      group: 'header' as const,
      name,
      label: `Header {{${name}}}`,
    })),
    ...t.slots.body.map((name) => ({
      key: `body:${name}`,
      group: 'body' as const,
      name,
      label: `Body {{${name}}}`,
    })),
    ...t.slots.buttons.map((b) => ({
      key: `button:${b.index}`,
      group: 'button' as const,
      name: String(b.index),
      label:
        b.type === 'URL' ? `Button ${b.index + 1}: link suffix` : `Button ${b.index + 1}: code`,
    })),
  ];
}

/** The API's `parameters` for the values entered (keyed by Slot.key); media headers by link. */
export function parametersOf(
  t: Template,
  values: Readonly<Record<string, string>>,
  mediaLink = '',
): TemplateParameters {
  const named = t.parameterFormat === 'named';
  const group = (names: string[], prefix: string): string[] | Record<string, string> =>
    named
      ? Object.fromEntries(names.map((n) => [n, values[`${prefix}:${n}`] ?? '']))
      : names.map((n) => values[`${prefix}:${n}`] ?? '');
  const p: TemplateParameters = {};
  const media = t.slots.headerMedia;
  if (media && media !== 'LOCATION') {
    p.header = { type: MEDIA_TYPES[media], link: mediaLink };
  } else if (t.slots.header.length > 0) {
    p.header = group(t.slots.header, 'header');
  }
  if (t.slots.body.length > 0) {
    p.body = group(t.slots.body, 'body');
  }
  if (t.slots.buttons.length > 0) {
    p.buttons = t.slots.buttons.map((b) => ({
      index: b.index,
      text: values[`button:${b.index}`] ?? '',
    }));
  }
  return p;
}

/**
 * The form's values for `parameters` the API holds (a follow-up starts from its parent's
 * message): the inverse of parametersOf, with the media header's link.
 */
export function valuesOf(
  t: Template,
  p: Readonly<Record<string, unknown>>,
): { values: Record<string, string>; mediaLink: string } {
  const values: Record<string, string> = {};
  const read = (names: string[], prefix: string, given: unknown) => {
    names.forEach((n, i) => {
      const v: unknown = Array.isArray(given)
        ? given[i]
        : typeof given === 'object' && given !== null
          ? (given as Record<string, unknown>)[n]
          : undefined;
      if (typeof v === 'string') {
        values[`${prefix}:${n}`] = v;
      }
    });
  };
  const header = p.header;
  const media =
    typeof header === 'object' && header !== null && 'link' in header ? header.link : undefined;
  if (typeof media !== 'string') {
    read(t.slots.header, 'header', header);
  }
  read(t.slots.body, 'body', p.body);
  for (const b of Array.isArray(p.buttons) ? (p.buttons as unknown[]) : []) {
    if (typeof b === 'object' && b !== null && 'index' in b && 'text' in b) {
      values[`button:${String(b.index)}`] = String(b.text);
    }
  }
  return { values, mediaLink: typeof media === 'string' ? media : '' };
}

const TRACKED = /^\{\{link:(.*)\}\}$/s;

/** A value that the engine turns into a per-recipient tracked link: {{link:<url>}}. */
export const isTrackedLink = (v: string): boolean => TRACKED.test(v.trim());

/** Turns tracking of a value's link on or off (the URL itself is kept). */
export function withTracking(v: string, on: boolean): string {
  const url = TRACKED.exec(v.trim())?.[1] ?? v.trim();
  return on ? `{{link:${url || 'https://'}}}` : url;
}

/** Contact fields a value can come from: the built-in ones and every attribute of the sample. */
export function contactFields(
  sample: ReadonlyArray<Pick<Member, 'attributes'>>,
): Array<{ value: string; label: string }> {
  const attributes = new Set<string>();
  for (const m of sample) {
    for (const k of Object.keys(m.attributes)) {
      attributes.add(k);
    }
  }
  return [
    ...[...attributes].sort().map((k) => ({
      value: `{{contact.attributes.${k}}}`,
      label: `attribute ${k}`,
    })),
    { value: '{{contact.phone}}', label: 'phone' },
    { value: '{{contact.locale}}', label: 'locale' },
    { value: '{{contact.timezone}}', label: 'time zone' },
  ];
}

/** A `<input type="datetime-local">` value (local time) as an ISO instant, or undefined. */
export function localToIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
