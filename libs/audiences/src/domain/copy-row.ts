import type { ContactRow } from './import-row';

/**
 * A contact as the end of a line of COPY text (the import's staging format): everything after the
 * id and the phone, `\tlocale\ttimezone\tattributes\n`. An import keeps each contact of a batch in
 * this form until the batch is written: one string per contact instead of a tree of objects, which
 * is what the garbage collector spent its time on.
 */
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };
const NULL = '\\N';

/** COPY text-format escaping; most values need none, so test once before rewriting (hot path). */
export function copyEscape(s: string): string {
  return SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch] as string) : s;
}

function copyUnescape(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, (_, ch: string) => UNESCAPES[ch] ?? ch) : s;
}

export function toCopyTail(c: ContactRow): string {
  return `\t${c.locale === null ? NULL : copyEscape(c.locale)}\t${
    c.timezone === null ? NULL : copyEscape(c.timezone)
  }\t${copyEscape(JSON.stringify(c.attributes))}\n`;
}

/** The contact back from its COPY tail (only when a phone repeats within a batch, so rare). */
export function fromCopyTail(phone: string, tail: string): ContactRow {
  const [locale = NULL, timezone = NULL, attributes = '{}'] = tail.slice(1, -1).split('\t');
  return {
    phone,
    locale: locale === NULL ? null : copyUnescape(locale),
    timezone: timezone === NULL ? null : copyUnescape(timezone),
    attributes: JSON.parse(copyUnescape(attributes)) as Record<string, string>,
  };
}
