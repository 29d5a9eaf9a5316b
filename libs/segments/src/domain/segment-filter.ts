// The segment filter language: a JSON tree over contacts (README, "Segments"). Validated on
// write with the path of the first bad nodes; only a validated tree is ever compiled to SQL.
// Pure: no I/O (the ids a tree names are checked against the workspace by the caller).

export const CAMPAIGN_OUTCOMES = [
  'targeted',
  'sent',
  'delivered',
  'read',
  'clicked',
  'converted',
  'failed',
  'not_delivered',
  'delivered_not_read',
  'read_not_clicked',
  'clicked_not_converted',
  'expired',
] as const;
export type CampaignOutcome = (typeof CAMPAIGN_OUTCOMES)[number];

export const FILTER_OPS = [
  'eq',
  'ne',
  'in',
  'nin',
  'contains',
  'startsWith',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const CONSENT_VALUES = ['opted_in', 'opted_out', 'none'] as const;

export type Scalar = string | number | boolean;

export interface FieldLeaf {
  field: string;
  op: FilterOp;
  value?: Scalar | Scalar[];
}

export type FilterNode =
  | { all: FilterNode[] }
  | { any: FilterNode[] }
  | { not: FilterNode }
  | FieldLeaf
  | { audience: string }
  | { campaign: string; outcome: CampaignOutcome }
  | { messaged: { withinDays: number } }
  | { converted: { eventName?: string; withinDays: number } };

export interface FilterProblem {
  /** Where in the tree, e.g. `filter.all[2].value`. */
  path: string;
  message: string;
}

/** Bounds that keep a filter cheap to validate, store and run. */
export const FILTER_LIMITS = {
  maxNodes: 200,
  maxDepth: 12,
  maxListValues: 1000,
  maxString: 1000,
  maxAttributeDepth: 5,
  maxWithinDays: 3650,
} as const;

const ATTRIBUTE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_ -]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CALLING_CODE = /^[1-9][0-9]{0,3}$/;
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO-8601 date string that is a real date (`2025-02-30` is not). */
export function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO_DATE.test(v)) {
    return false;
  }
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) {
    return false;
  }
  // Date.parse rolls 2025-02-30 over to March: the calendar date must survive the round trip.
  const [y = 0, m = 0, d = 0] = v.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** What kind of contact field a leaf reads, which decides the operators and values it takes. */
export type FieldKind =
  | { kind: 'phone' }
  | { kind: 'countryCode' }
  | { kind: 'text'; column: 'locale' | 'timezone' }
  | { kind: 'createdAt' }
  | { kind: 'consent' }
  | { kind: 'attribute'; path: string[] };

export function fieldKind(field: string): FieldKind | null {
  switch (field) {
    case 'phone':
      return { kind: 'phone' };
    case 'countryCode':
      return { kind: 'countryCode' };
    case 'locale':
    case 'timezone':
      return { kind: 'text', column: field };
    case 'createdAt':
      return { kind: 'createdAt' };
    case 'consent':
      return { kind: 'consent' };
  }
  if (!field.startsWith('attributes.')) {
    return null;
  }
  const path = field.slice('attributes.'.length).split('.');
  if (path.length > FILTER_LIMITS.maxAttributeDepth || !path.every((k) => ATTRIBUTE_KEY.test(k))) {
    return null;
  }
  return { kind: 'attribute', path };
}

const OPS_BY_KIND: Record<FieldKind['kind'], readonly FilterOp[]> = {
  phone: ['eq', 'ne', 'in', 'nin', 'startsWith', 'contains'],
  countryCode: ['eq', 'ne', 'in', 'nin'],
  text: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'exists'],
  createdAt: ['gt', 'gte', 'lt', 'lte', 'between'],
  consent: ['eq', 'ne', 'in', 'nin'],
  attribute: FILTER_OPS,
};

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar of the type a leaf of this kind compares with; null when it is not one. */
function scalarProblem(kind: FieldKind, op: FilterOp, v: unknown): string | null {
  const kindName = kind.kind === 'attribute' ? 'an attribute' : kind.kind;
  if (typeof v === 'string' && v.length > FILTER_LIMITS.maxString) {
    return `a value may be at most ${FILTER_LIMITS.maxString} characters`;
  }
  switch (kind.kind) {
    case 'phone':
    case 'text':
      return typeof v === 'string' ? null : `${kindName} compares with strings`;
    case 'countryCode':
      return typeof v === 'string' && CALLING_CODE.test(v)
        ? null
        : 'a calling code is 1–4 digits as a string, e.g. "55"';
    case 'consent':
      return typeof v === 'string' && (CONSENT_VALUES as readonly string[]).includes(v)
        ? null
        : `consent is one of ${CONSENT_VALUES.join(', ')}`;
    case 'createdAt':
      return isIsoDate(v) ? null : 'createdAt compares with ISO-8601 dates';
    case 'attribute':
      if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'between') {
        return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string'
          ? null
          : `${op} compares numbers, strings or ISO-8601 dates`;
      }
      return typeof v === 'string' ||
        typeof v === 'boolean' ||
        (typeof v === 'number' && Number.isFinite(v))
        ? null
        : 'an attribute compares with a string, a finite number or a boolean';
  }
}

/** The "type" of a compared value, so that mixed lists and ranges can be refused. */
function typeOf(v: unknown): string {
  if (isIsoDate(v)) {
    return 'date';
  }
  return typeof v;
}

class Checker {
  readonly problems: FilterProblem[] = [];
  private nodes = 0;

  problem(path: string, message: string): void {
    if (this.problems.length < 20) {
      this.problems.push({ path, message });
    }
  }

  /** Walks a node; returns false when the walk must stop (too many nodes). */
  node(v: unknown, path: string, depth: number): boolean {
    this.nodes++;
    if (this.nodes > FILTER_LIMITS.maxNodes) {
      this.problem(path, `a filter may have at most ${FILTER_LIMITS.maxNodes} nodes`);
      return false;
    }
    if (depth > FILTER_LIMITS.maxDepth) {
      this.problem(path, `a filter may be at most ${FILTER_LIMITS.maxDepth} levels deep`);
      return true;
    }
    if (!isRecord(v)) {
      this.problem(path, 'a filter node is a JSON object');
      return true;
    }
    const keys = Object.keys(v);
    const only = (allowed: string[]): boolean => {
      const extra = keys.filter((k) => !allowed.includes(k));
      if (extra.length > 0) {
        this.problem(path, `unknown key(s) ${extra.join(', ')} beside ${allowed.join(', ')}`);
        return false;
      }
      return true;
    };
    if ('all' in v || 'any' in v) {
      const k = 'all' in v ? 'all' : 'any';
      if (!only([k])) {
        return true;
      }
      const list = v[k];
      if (!Array.isArray(list) || list.length === 0) {
        this.problem(`${path}.${k}`, `${k} is a non-empty array of filter nodes`);
        return true;
      }
      for (const [i, child] of list.entries()) {
        if (!this.node(child, `${path}.${k}[${i}]`, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if ('not' in v) {
      return only(['not']) ? this.node(v.not, `${path}.not`, depth + 1) : true;
    }
    if ('field' in v) {
      if (only(['field', 'op', 'value'])) {
        this.leaf(v, path);
      }
      return true;
    }
    if ('audience' in v) {
      if (only(['audience']) && !(typeof v.audience === 'string' && UUID.test(v.audience))) {
        this.problem(`${path}.audience`, 'audience is an audience id (UUID)');
      }
      return true;
    }
    if ('campaign' in v) {
      if (!only(['campaign', 'outcome'])) {
        return true;
      }
      if (!(typeof v.campaign === 'string' && UUID.test(v.campaign))) {
        this.problem(`${path}.campaign`, 'campaign is a campaign id (UUID)');
      }
      if (!(CAMPAIGN_OUTCOMES as readonly unknown[]).includes(v.outcome)) {
        this.problem(`${path}.outcome`, `outcome is one of ${CAMPAIGN_OUTCOMES.join(', ')}`);
      }
      return true;
    }
    if ('messaged' in v || 'converted' in v) {
      const k = 'messaged' in v ? 'messaged' : 'converted';
      if (!only([k])) {
        return true;
      }
      const inner = v[k];
      if (!isRecord(inner)) {
        this.problem(`${path}.${k}`, `${k} is an object with withinDays`);
        return true;
      }
      const allowed = k === 'converted' ? ['withinDays', 'eventName'] : ['withinDays'];
      const extra = Object.keys(inner).filter((x) => !allowed.includes(x));
      if (extra.length > 0) {
        this.problem(`${path}.${k}`, `unknown key(s) ${extra.join(', ')}`);
      }
      const days = inner.withinDays;
      if (!(
        Number.isInteger(days) &&
        (days as number) >= 1 &&
        (days as number) <= FILTER_LIMITS.maxWithinDays
      )) {
        this.problem(
          `${path}.${k}.withinDays`,
          `withinDays is a whole number of days from 1 to ${FILTER_LIMITS.maxWithinDays}`,
        );
      }
      if (
        k === 'converted' &&
        inner.eventName !== undefined &&
        !(typeof inner.eventName === 'string' && EVENT_NAME.test(inner.eventName))
      ) {
        this.problem(
          `${path}.converted.eventName`,
          'eventName is a conversion event name, e.g. purchase',
        );
      }
      return true;
    }
    this.problem(
      path,
      'a filter node is one of all, any, not, { field, op, value }, audience, campaign, messaged, converted',
    );
    return true;
  }

  private leaf(v: Json, path: string): void {
    const kind = typeof v.field === 'string' ? fieldKind(v.field) : null;
    if (!kind) {
      this.problem(
        `${path}.field`,
        'field is one of phone, countryCode, locale, timezone, createdAt, consent, attributes.<key>',
      );
      return;
    }
    const op = v.op;
    if (!(FILTER_OPS as readonly unknown[]).includes(op)) {
      this.problem(`${path}.op`, `op is one of ${FILTER_OPS.join(', ')}`);
      return;
    }
    const allowed = OPS_BY_KIND[kind.kind];
    if (!allowed.includes(op as FilterOp)) {
      this.problem(`${path}.op`, `${String(v.field)} takes ${allowed.join(', ')}`);
      return;
    }
    const value = v.value;
    const at = `${path}.value`;
    switch (op as FilterOp) {
      case 'exists':
        if (value !== undefined && typeof value !== 'boolean') {
          this.problem(at, 'exists takes true, false or no value');
        }
        return;
      case 'in':
      case 'nin': {
        if (
          !Array.isArray(value) ||
          value.length === 0 ||
          value.length > FILTER_LIMITS.maxListValues
        ) {
          this.problem(
            at,
            `${String(op)} takes a list of 1 to ${FILTER_LIMITS.maxListValues} values`,
          );
          return;
        }
        value.forEach((x, i) => {
          const p = scalarProblem(kind, op as FilterOp, x);
          if (p) {
            this.problem(`${at}[${i}]`, p);
          }
        });
        if (new Set(value.map(typeOf)).size > 1) {
          this.problem(at, 'the values of a list are all of one type');
        }
        return;
      }
      case 'between': {
        if (!Array.isArray(value) || value.length !== 2) {
          this.problem(at, 'between takes [low, high]');
          return;
        }
        value.forEach((x, i) => {
          const p = scalarProblem(kind, 'between', x);
          if (p) {
            this.problem(`${at}[${i}]`, p);
          }
        });
        if (typeOf(value[0]) !== typeOf(value[1])) {
          this.problem(at, 'low and high are of one type');
        }
        return;
      }
      case 'contains':
      case 'startsWith':
        if (typeof value !== 'string' || value.length === 0) {
          this.problem(at, `${String(op)} takes a non-empty string`);
          return;
        }
        break;
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        break;
    }
    const p = scalarProblem(kind, op as FilterOp, value);
    if (p) {
      this.problem(at, value === undefined ? `${String(op)} needs a value` : p);
    }
  }
}

/** Problems of a filter (empty: valid). `root` names the tree in the paths (e.g. `filter`). */
export function filterProblems(input: unknown, root = 'filter'): FilterProblem[] {
  const c = new Checker();
  c.node(input, root, 1);
  return c.problems;
}

/** The filter as a valid tree, or its problems. */
export function parseFilter(
  input: unknown,
  root = 'filter',
): { ok: true; filter: FilterNode } | { ok: false; problems: FilterProblem[] } {
  const problems = filterProblems(input, root);
  return problems.length === 0
    ? { ok: true, filter: input as FilterNode }
    : { ok: false, problems };
}

/** Every audience and campaign id a tree names (to check they belong to the workspace). */
export function referencedIds(f: FilterNode): { audiences: string[]; campaigns: string[] } {
  const audiences = new Set<string>();
  const campaigns = new Set<string>();
  const walk = (n: FilterNode): void => {
    if ('all' in n) {
      n.all.forEach(walk);
    } else if ('any' in n) {
      n.any.forEach(walk);
    } else if ('not' in n) {
      walk(n.not);
    } else if ('audience' in n) {
      audiences.add(n.audience.toLowerCase());
    } else if ('campaign' in n) {
      campaigns.add(n.campaign.toLowerCase());
    }
  };
  walk(f);
  return { audiences: [...audiences], campaigns: [...campaigns] };
}
