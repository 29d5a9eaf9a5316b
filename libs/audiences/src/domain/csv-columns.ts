/** How the columns of an import's CSV map onto contact fields (pure; used by the API and the worker). */

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** CSV header → `phone` | `locale` | `timezone` | `attributes.<name>`, or null to ignore the column. */
export type ImportMapping = Record<string, string | null>;

export type ColumnTarget =
  | { kind: 'phone' }
  | { kind: 'locale' }
  | { kind: 'timezone' }
  | { kind: 'attribute'; name: string }
  | { kind: 'ignore' };

export interface ColumnPlan {
  /** Column count every data row must have. */
  width: number;
  header: string[];
  phone: number;
  locale: number | null;
  timezone: number | null;
  attributes: Array<{ index: number; name: string }>;
}

export const MAX_ATTRIBUTE_NAME = 100;
const ATTRIBUTE_PREFIX = 'attributes.';

export function parseDelimiter(raw: string): Delimiter | null {
  const value = raw === 'tab' || raw === '\\t' ? '\t' : raw;
  return (DELIMITERS as readonly string[]).includes(value) ? (value as Delimiter) : null;
}

/** The candidate that splits the header line most often (outside quotes); `,` when none does. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && (DELIMITERS as readonly string[]).includes(ch)) {
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const c = counts.get(d) ?? 0;
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/** The first line of a text, ending at the first newline that is not inside quotes. */
export function firstLine(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && (ch === '\n' || ch === '\r')) {
      return text.slice(0, i);
    }
  }
  return text;
}

export function parseTarget(value: string | null): ColumnTarget | null {
  if (value === null) {
    return { kind: 'ignore' };
  }
  if (value === 'phone' || value === 'locale' || value === 'timezone') {
    return { kind: value };
  }
  if (value.startsWith(ATTRIBUTE_PREFIX)) {
    const name = value.slice(ATTRIBUTE_PREFIX.length);
    if (name.length > 0 && name.length <= MAX_ATTRIBUTE_NAME) {
      return { kind: 'attribute', name };
    }
  }
  return null;
}

/** Problems of a `?mapping=` value before any file is read; empty when it is usable. */
export function mappingProblems(mapping: unknown): string[] {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    return ['mapping must be a JSON object from CSV header to contact field'];
  }
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [column, value] of Object.entries(mapping as Record<string, unknown>)) {
    const target = typeof value === 'string' || value === null ? parseTarget(value) : null;
    if (!target) {
      problems.push(
        `mapping of "${column}" must be phone, locale, timezone, attributes.<name> or null`,
      );
      continue;
    }
    if (target.kind === 'ignore') {
      continue;
    }
    const key = target.kind === 'attribute' ? `attributes.${target.name}` : target.kind;
    const other = seen.get(key);
    if (other !== undefined) {
      problems.push(`columns "${other}" and "${column}" are both mapped to ${key}`);
    }
    seen.set(key, column);
  }
  return problems;
}

function defaultTarget(name: string, explicitlyTaken: Set<string>): ColumnTarget {
  if (name === '') {
    return { kind: 'ignore' };
  }
  const lower = name.toLowerCase();
  if (
    (lower === 'phone' || lower === 'locale' || lower === 'timezone') &&
    !explicitlyTaken.has(lower)
  ) {
    return { kind: lower };
  }
  return { kind: 'attribute', name: name.slice(0, MAX_ATTRIBUTE_NAME) };
}

export type PlanResult = { ok: true; plan: ColumnPlan } | { ok: false; reason: string };

/** Decides which column feeds which field, from the header row and an optional mapping. */
export function planColumns(rawHeader: string[], mapping: ImportMapping | null): PlanResult {
  const header = rawHeader.map((h) => h.trim());
  const names = new Set<string>();
  for (const h of header) {
    if (h !== '' && names.has(h)) {
      return { ok: false, reason: `column "${h}" appears twice in the header` };
    }
    names.add(h);
  }
  const explicit = new Map<string, ColumnTarget>();
  for (const [column, value] of Object.entries(mapping ?? {})) {
    if (!names.has(column)) {
      return {
        ok: false,
        reason: `mapping names column "${column}", which is not in the header (${describe(header)})`,
      };
    }
    const target = parseTarget(value);
    if (!target) {
      return { ok: false, reason: `mapping of "${column}" is not a contact field` };
    }
    explicit.set(column, target);
  }
  const taken = new Set(
    [...explicit.values()]
      .filter((t) => t.kind !== 'attribute' && t.kind !== 'ignore')
      .map((t) => t.kind),
  );
  const plan: ColumnPlan = {
    width: header.length,
    header,
    phone: -1,
    locale: null,
    timezone: null,
    attributes: [],
  };
  const attributeNames = new Set<string>();
  for (const [index, name] of header.entries()) {
    const target = explicit.get(name) ?? defaultTarget(name, taken);
    switch (target.kind) {
      case 'phone':
        if (plan.phone >= 0) {
          return { ok: false, reason: 'more than one column is the phone' };
        }
        plan.phone = index;
        break;
      case 'locale':
        plan.locale = index;
        break;
      case 'timezone':
        plan.timezone = index;
        break;
      case 'attribute':
        if (attributeNames.has(target.name)) {
          return { ok: false, reason: `more than one column feeds attribute "${target.name}"` };
        }
        attributeNames.add(target.name);
        plan.attributes.push({ index, name: target.name });
        break;
      case 'ignore':
        break;
    }
  }
  if (plan.phone < 0) {
    return {
      ok: false,
      reason: `no phone column: the header has ${describe(header)}; name one column "phone" or map one with ?mapping={"<column>":"phone"}`,
    };
  }
  return { ok: true, plan };
}

function describe(header: string[]): string {
  const shown = header.slice(0, 10).map((h) => `"${h}"`);
  return header.length > 10
    ? `${shown.join(', ')} and ${header.length - 10} more`
    : shown.join(', ');
}
