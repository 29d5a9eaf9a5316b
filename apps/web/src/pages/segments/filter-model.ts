// The segment editor's model of a filter tree (README, "The filter language") and its two-way
// mapping to the API's JSON: what the marketer edits is a list of conditions to include (all or
// any of them, groups nested), plus conditions whose contacts are left out. The API validates
// the tree and answers the path of a bad node; this file only shapes it.
import type { CampaignOutcome, SegmentFilter } from '../../api/types';

/** A label per outcome the API knows (its enum: a new one fails to compile until labelled). */
export const OUTCOME_LABELS: Record<CampaignOutcome, string> = {
  targeted: 'were targeted',
  sent: 'were sent it',
  delivered: 'got it delivered',
  read: 'read it',
  clicked: 'clicked',
  converted: 'converted',
  failed: 'failed',
  not_delivered: 'were sent it, not delivered',
  delivered_not_read: 'got it delivered, did not read it',
  read_not_clicked: 'read it, did not click',
  clicked_not_converted: 'clicked, did not convert',
  expired: 'were sent it, dropped undelivered at its TTL',
};

export const OUTCOMES = Object.keys(OUTCOME_LABELS) as CampaignOutcome[];

export type FilterOp =
  | 'eq'
  | 'ne'
  | 'in'
  | 'nin'
  | 'contains'
  | 'startsWith'
  | 'exists'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between';

export const OP_LABELS: Record<FilterOp, string> = {
  eq: 'is',
  ne: 'is not',
  in: 'is one of',
  nin: 'is none of',
  contains: 'contains',
  startsWith: 'starts with',
  exists: 'is set',
  gt: 'is more than / after',
  gte: 'is at least / from',
  lt: 'is less than / before',
  lte: 'is at most / until',
  between: 'is between',
};

const ALL_OPS = Object.keys(OP_LABELS) as FilterOp[];

/** The contact fields a condition reads (attributes.<key> besides these). */
export const FIELDS = [
  { field: 'consent', label: 'Consent', ops: ['eq', 'ne', 'in', 'nin'] },
  { field: 'countryCode', label: 'Country calling code', ops: ['eq', 'ne', 'in', 'nin'] },
  {
    field: 'phone',
    label: 'Phone',
    ops: ['eq', 'ne', 'in', 'nin', 'startsWith', 'contains'],
  },
  {
    field: 'locale',
    label: 'Locale',
    ops: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'exists'],
  },
  {
    field: 'timezone',
    label: 'Time zone',
    ops: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'exists'],
  },
  { field: 'createdAt', label: 'Created', ops: ['gt', 'gte', 'lt', 'lte', 'between'] },
] as const satisfies ReadonlyArray<{ field: string; label: string; ops: readonly FilterOp[] }>;

export const ATTRIBUTE_PREFIX = 'attributes.';

/** How an attribute's value is compared: the API compares by the JSON type of the value. */
export type ValueType = 'text' | 'number' | 'date' | 'boolean';

export function opsOf(field: string): readonly FilterOp[] {
  return FIELDS.find((f) => f.field === field)?.ops ?? ALL_OPS;
}

/** The value type a field compares with (attributes: the one chosen). */
export function valueTypeOf(field: string, chosen: ValueType): ValueType {
  if (field === 'createdAt') {
    return 'date';
  }
  return field.startsWith(ATTRIBUTE_PREFIX) ? chosen : 'text';
}

interface RuleBase {
  id: string;
  /** "not": contacts that do not match. */
  negate: boolean;
}

export type Rule = RuleBase &
  (
    | {
        kind: 'field';
        field: string;
        op: FilterOp;
        /** As typed: lists comma-separated; `exists` "true" or "false". */
        value: string;
        /** The upper bound of `between`. */
        value2: string;
        valueType: ValueType;
      }
    | { kind: 'audience'; audience: string }
    | { kind: 'campaign'; campaign: string; outcome: CampaignOutcome }
    | { kind: 'messaged'; withinDays: number }
    | { kind: 'converted'; eventName: string; withinDays: number }
    | { kind: 'group'; group: Group }
  );

export type RuleKind = Rule['kind'];

export interface Group {
  match: 'all' | 'any';
  rules: Rule[];
}

export interface SegmentDraft {
  include: Group;
  /** Contacts matching any of these are left out. */
  exclude: Rule[];
}

let nextId = 0;
const newId = (): string => `r${++nextId}`;

/** A fresh condition of a kind, with defaults a marketer edits from. */
export function newRule(kind: RuleKind): Rule {
  const base = { id: newId(), negate: false };
  switch (kind) {
    case 'field':
      return {
        ...base,
        kind,
        field: `${ATTRIBUTE_PREFIX}`,
        op: 'eq',
        value: '',
        value2: '',
        valueType: 'text',
      };
    case 'audience':
      return { ...base, kind, audience: '' };
    case 'campaign':
      return { ...base, kind, campaign: '', outcome: 'delivered' };
    case 'messaged':
      return { ...base, kind, withinDays: 7 };
    case 'converted':
      return { ...base, kind, eventName: 'purchase', withinDays: 30 };
    case 'group':
      return { ...base, kind, group: { match: 'any', rules: [newRule('field')] } };
  }
}

export const emptyDraft = (): SegmentDraft => ({
  include: { match: 'all', rules: [] },
  exclude: [],
});

type Json = Record<string, unknown>;
type Scalar = string | number | boolean;

function typed(text: string, type: ValueType): Scalar {
  const t = text.trim();
  switch (type) {
    case 'number':
      // An empty or odd number stays text: the API answers with the path of the bad value.
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
    case 'boolean':
      return t === 'true';
    case 'date':
    case 'text':
      return t;
  }
}

function fieldNode(r: Extract<Rule, { kind: 'field' }>): Json {
  const type = valueTypeOf(r.field, r.valueType);
  switch (r.op) {
    case 'exists':
      return { field: r.field, op: r.op, value: r.value !== 'false' };
    case 'in':
    case 'nin':
      return {
        field: r.field,
        op: r.op,
        value: r.value
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
          .map((x) => typed(x, type)),
      };
    case 'between':
      return { field: r.field, op: r.op, value: [typed(r.value, type), typed(r.value2, type)] };
    default:
      return { field: r.field, op: r.op, value: typed(r.value, type) };
  }
}

function ruleNode(r: Rule): Json {
  const node = ((): Json => {
    switch (r.kind) {
      case 'field':
        return fieldNode(r);
      case 'audience':
        return { audience: r.audience };
      case 'campaign':
        return { campaign: r.campaign, outcome: r.outcome };
      case 'messaged':
        return { messaged: { withinDays: r.withinDays } };
      case 'converted':
        return {
          converted: {
            ...(r.eventName.trim() ? { eventName: r.eventName.trim() } : {}),
            withinDays: r.withinDays,
          },
        };
      case 'group':
        return groupNode(r.group);
    }
  })();
  return r.negate ? { not: node } : node;
}

function groupNode(g: Group): Json {
  return { [g.match]: g.rules.map(ruleNode) };
}

/** The API's filter for a draft; null while it has no condition at all. */
export function toFilter(d: SegmentDraft): SegmentFilter | null {
  const parts: Json[] = [];
  if (d.include.rules.length > 0) {
    parts.push(groupNode(d.include));
  }
  if (d.exclude.length > 0) {
    const out = d.exclude.map(ruleNode);
    parts.push({ not: out.length === 1 ? out[0] : { any: out } });
  }
  if (parts.length === 0) {
    return null;
  }
  // With exclusions: { all: [ <include>, { not: <exclude> } ] } (fromFilter reads it back).
  return parts.length === 1 && d.exclude.length === 0 ? parts[0]! : { all: parts };
}

const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function typeOfValue(v: unknown): ValueType {
  const x = Array.isArray(v) ? (v as unknown[])[0] : v;
  if (typeof x === 'number') {
    return 'number';
  }
  if (typeof x === 'boolean') {
    return 'boolean';
  }
  return typeof x === 'string' && ISO_DATE.test(x) ? 'date' : 'text';
}

const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

class Unreadable extends Error {}

function toGroup(n: Json): Group | null {
  if (Array.isArray(n.all)) {
    return { match: 'all', rules: n.all.map(toRule) };
  }
  if (Array.isArray(n.any)) {
    return { match: 'any', rules: n.any.map(toRule) };
  }
  return null;
}

function toRule(v: unknown): Rule {
  if (!isRecord(v)) {
    throw new Unreadable();
  }
  const base = { id: newId(), negate: false };
  if ('not' in v) {
    const inner = toRule(v.not);
    return { ...inner, negate: !inner.negate };
  }
  const group = toGroup(v);
  if (group) {
    return { ...base, kind: 'group', group };
  }
  if (typeof v.field === 'string' && typeof v.op === 'string') {
    const op = v.op as FilterOp;
    if (!ALL_OPS.includes(op)) {
      throw new Unreadable();
    }
    const list = Array.isArray(v.value) ? (v.value as unknown[]) : null;
    return {
      ...base,
      kind: 'field',
      field: v.field,
      op,
      value:
        op === 'exists'
          ? String(v.value !== false)
          : op === 'between'
            ? text(list?.[0])
            : list
              ? list.map(text).join(', ')
              : text(v.value),
      value2: op === 'between' ? text(list?.[1]) : '',
      valueType: v.field.startsWith(ATTRIBUTE_PREFIX) ? typeOfValue(v.value) : 'text',
    };
  }
  if (typeof v.audience === 'string') {
    return { ...base, kind: 'audience', audience: v.audience };
  }
  if (typeof v.campaign === 'string' && OUTCOMES.includes(v.outcome as CampaignOutcome)) {
    return {
      ...base,
      kind: 'campaign',
      campaign: v.campaign,
      outcome: v.outcome as CampaignOutcome,
    };
  }
  if (isRecord(v.messaged) && typeof v.messaged.withinDays === 'number') {
    return { ...base, kind: 'messaged', withinDays: v.messaged.withinDays };
  }
  if (isRecord(v.converted) && typeof v.converted.withinDays === 'number') {
    return {
      ...base,
      kind: 'converted',
      eventName: text(v.converted.eventName),
      withinDays: v.converted.withinDays,
    };
  }
  throw new Unreadable();
}

/** The draft of a stored filter; null when the editor cannot show it (then: edit the JSON). */
export function fromFilter(filter: unknown): SegmentDraft | null {
  try {
    if (!isRecord(filter)) {
      return null;
    }
    // { all: [ <group>, { not: <exclusions> } ] }: what toFilter writes for exclusions.
    const all = Array.isArray(filter.all) ? (filter.all as unknown[]) : [];
    const out = all[all.length - 1];
    if ((all.length === 1 || all.length === 2) && isRecord(out) && 'not' in out) {
      const first = all[0];
      const include = all.length === 2 && isRecord(first) ? toGroup(first) : null;
      if (all.length === 1 || include) {
        const ex = isRecord(out.not) && Array.isArray(out.not.any) ? out.not.any : [out.not];
        return {
          include: include ?? { match: 'all', rules: [] },
          exclude: (ex as unknown[]).map(toRule),
        };
      }
    }
    const group = toGroup(filter);
    return { include: group ?? { match: 'all', rules: [toRule(filter)] }, exclude: [] };
  } catch (e) {
    if (e instanceof Unreadable) {
      return null;
    }
    throw e;
  }
}
