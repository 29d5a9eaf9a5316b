// A validated filter tree compiled to one SQL boolean over the contact `c` (a row of contacts).
// Every user value travels as a bind parameter; the SQL text is built only from this file's
// constants, column names and parameter placeholders. Each leaf yields true or false (never
// NULL), so `not` means "every contact the inner node does not match" — a contact without a
// `tier` matches `tier ne "gold"`.
import type { CampaignOutcome, FieldLeaf, FilterNode, Scalar } from './segment-filter';
import { fieldKind, isIsoDate } from './segment-filter';

/** Collects bind parameters; `add` answers the placeholder (e.g. `$3::text[]`). */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/** Meta accepted it (it has a wamid, or a status only an accepted message gets). */
export const ACCEPTED_SQL = (cm: string): string =>
  `(${cm}.status IN ('sent', 'delivered', 'read', 'expired') OR (${cm}.status = 'failed' AND ${cm}.wamid IS NOT NULL))`;

/**
 * A marketing message went to the contact, or is on its way (claimed, in doubt): what "recently
 * messaged" and the frequency cap count, with the time it counts from.
 */
export const MESSAGED_SQL = (cm: string): string =>
  `(${cm}.wamid IS NOT NULL OR ${cm}.status IN ('sending', 'in_doubt', 'sent', 'delivered', 'read'))`;
export const MESSAGED_AT_SQL = (cm: string): string =>
  `coalesce(${cm}.sent_at, ${cm}.last_request_at, ${cm}.claimed_at)`;

const CONVERTED = (cm: string): string =>
  `EXISTS (SELECT 1 FROM campaign_converted_messages x WHERE x.campaign_message_id = ${cm}.id)`;

/**
 * Each outcome as a predicate on a campaign message `cm`. They follow the campaign's counts:
 * `sent` is what Meta accepted, `not_delivered` = sent − delivered, `delivered_not_read` =
 * delivered − read, `expired` (not delivered by its TTL) a part of not_delivered, and so on, so a
 * follow-up targets exactly the number its parent shows.
 */
export function outcomeSql(outcome: CampaignOutcome, cm = 'cm'): string {
  switch (outcome) {
    case 'targeted':
      return 'true';
    case 'sent':
      return ACCEPTED_SQL(cm);
    case 'delivered':
      return `${cm}.status IN ('delivered', 'read')`;
    case 'read':
      return `${cm}.status = 'read'`;
    case 'clicked':
      return `${cm}.clicked_at IS NOT NULL`;
    case 'converted':
      return CONVERTED(cm);
    case 'failed':
      return `${cm}.status = 'failed'`;
    case 'not_delivered':
      return `(${ACCEPTED_SQL(cm)} AND ${cm}.status NOT IN ('delivered', 'read'))`;
    case 'delivered_not_read':
      return `${cm}.status = 'delivered'`;
    case 'read_not_clicked':
      return `(${cm}.status = 'read' AND ${cm}.clicked_at IS NULL)`;
    case 'clicked_not_converted':
      return `(${cm}.clicked_at IS NOT NULL AND NOT ${CONVERTED(cm)})`;
    case 'expired':
      // Accepted, not delivered by its TTL: a subset of not_delivered.
      return `${cm}.status = 'expired'`;
  }
}

export interface CompileContext {
  /** "Now" for withinDays leaves: the moment the target is resolved (injected clock). */
  now: Date;
}

const DAY_MS = 86_400_000;

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** `{ a: { b: value } }` for the path [a, b]: what `@>` compares with. */
function nested(path: readonly string[], value: Scalar): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) {
    out = { [path[i] as string]: out };
  }
  return out as Record<string, unknown>;
}

/** Lists up to this long compile to OR-ed containments (index-friendly); longer to `= ANY`. */
const CONTAINMENT_LIST = 20;

class Compiler {
  constructor(
    private readonly p: SqlParams,
    private readonly ctx: CompileContext,
  ) {}

  node(n: FilterNode): string {
    if ('all' in n) {
      return `(${n.all.map((x) => this.node(x)).join(' AND ')})`;
    }
    if ('any' in n) {
      return `(${n.any.map((x) => this.node(x)).join(' OR ')})`;
    }
    if ('not' in n) {
      return `(NOT ${this.node(n.not)})`;
    }
    if ('audience' in n) {
      return `EXISTS (SELECT 1 FROM audience_members m WHERE m.audience_id = ${this.p.add(n.audience, 'uuid')} AND m.contact_id = c.id)`;
    }
    if ('campaign' in n) {
      return `EXISTS (SELECT 1 FROM campaign_messages cm
                      WHERE cm.campaign_id = ${this.p.add(n.campaign, 'uuid')} AND cm.contact_id = c.id
                        AND ${outcomeSql(n.outcome)})`;
    }
    if ('messaged' in n) {
      return `EXISTS (SELECT 1 FROM campaign_messages cm
                      WHERE cm.contact_id = c.id AND ${MESSAGED_SQL('cm')}
                        AND ${MESSAGED_AT_SQL('cm')} >= ${this.since(n.messaged.withinDays)})`;
    }
    if ('converted' in n) {
      const event =
        n.converted.eventName !== undefined
          ? ` AND v.event_name = ${this.p.add(n.converted.eventName, 'text')}`
          : '';
      return `EXISTS (SELECT 1 FROM conversions v
                      WHERE v.workspace_id = c.workspace_id AND v.contact_id = c.id
                        AND v.occurred_at >= ${this.since(n.converted.withinDays)}${event})`;
    }
    return `coalesce(${this.leaf(n)}, false)`;
  }

  private since(days: number): string {
    return this.p.add(new Date(this.ctx.now.getTime() - days * DAY_MS), 'timestamptz');
  }

  private leaf(l: FieldLeaf): string {
    const kind = fieldKind(l.field);
    if (!kind) {
      throw new Error(`compileFilter: unvalidated field ${l.field}`);
    }
    const list = (): Scalar[] => l.value as Scalar[];
    switch (kind.kind) {
      case 'phone':
        return this.text('c.phone', l, false);
      case 'text':
        return this.text(`c.${kind.column}`, l, true);
      case 'consent':
        return this.text('c.consent_status', l, false);
      case 'countryCode': {
        const patterns = (l.op === 'in' || l.op === 'nin' ? list() : [l.value as string]).map(
          (code) => `+${String(code)}%`,
        );
        const any = `c.phone LIKE ANY(${this.p.add(patterns, 'text[]')})`;
        return l.op === 'ne' || l.op === 'nin' ? `NOT (${any})` : `(${any})`;
      }
      case 'createdAt':
        return this.range('c.created_at', l, 'timestamptz');
      case 'attribute':
        return this.attribute(kind.path, l);
    }
  }

  /** A text column (NULL when absent): equality, lists, patterns, existence. */
  private text(col: string, l: FieldLeaf, insensitive: boolean): string {
    const like = insensitive ? 'ILIKE' : 'LIKE';
    switch (l.op) {
      case 'eq':
        return `${col} = ${this.p.add(l.value, 'text')}`;
      case 'ne':
        return `${col} IS DISTINCT FROM ${this.p.add(l.value, 'text')}`;
      case 'in':
        return `${col} = ANY(${this.p.add(l.value, 'text[]')})`;
      case 'nin':
        return `NOT coalesce(${col} = ANY(${this.p.add(l.value, 'text[]')}), false)`;
      case 'contains':
        return `${col} ${like} ${this.p.add(`%${likeEscape(String(l.value))}%`, 'text')}`;
      case 'startsWith':
        return `${col} ${like} ${this.p.add(`${likeEscape(String(l.value))}%`, 'text')}`;
      case 'exists':
        return l.value === false ? `${col} IS NULL` : `${col} IS NOT NULL`;
      default:
        throw new Error(`compileFilter: ${l.op} on ${l.field}`);
    }
  }

  /** A comparable column (`createdAt`): ranges by value. */
  private range(col: string, l: FieldLeaf, cast: string): string {
    const ops: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
    if (l.op === 'between') {
      const [lo, hi] = l.value as Scalar[];
      return `${col} BETWEEN ${this.p.add(lo, cast)} AND ${this.p.add(hi, cast)}`;
    }
    return `${col} ${ops[l.op] as string} ${this.p.add(l.value, cast)}`;
  }

  /** An attribute at `path`, compared by the type of the filter's value. */
  private attribute(path: string[], l: FieldLeaf): string {
    // The path parameter only when used: an unused one has no type Postgres could infer.
    let at: string | null = null;
    const pathParam = (): string => (at ??= this.p.add(path, 'text[]'));
    const json = (): string => `(c.attributes #> ${pathParam()})`;
    const text = (): string => `(c.attributes #>> ${pathParam()})`;
    const contains = (v: Scalar): string =>
      `c.attributes @> ${this.p.add(JSON.stringify(nested(path, v)), 'jsonb')}`;
    switch (l.op) {
      case 'eq':
        return contains(l.value as Scalar);
      case 'ne':
        return `NOT ${contains(l.value as Scalar)}`;
      case 'in':
      case 'nin': {
        const values = l.value as Scalar[];
        const inList =
          values.length <= CONTAINMENT_LIST
            ? `(${values.map(contains).join(' OR ')})`
            : `coalesce(${json()} = ANY(${this.p.add(
                values.map((v) => JSON.stringify(v)),
                'jsonb[]',
              )}), false)`;
        return l.op === 'in' ? inList : `NOT ${inList}`;
      }
      case 'contains':
      case 'startsWith': {
        const pattern =
          l.op === 'contains'
            ? `%${likeEscape(String(l.value))}%`
            : `${likeEscape(String(l.value))}%`;
        return `(CASE WHEN jsonb_typeof(${json()}) = 'string' THEN ${text()} END) ILIKE ${this.p.add(pattern, 'text')}`;
      }
      case 'exists':
        return l.value === false ? `${json()} IS NULL` : `${json()} IS NOT NULL`;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
      case 'between': {
        const sample = l.op === 'between' ? (l.value as Scalar[])[0] : l.value;
        if (typeof sample === 'number') {
          return this.range(
            `(CASE WHEN jsonb_typeof(${json()}) = 'number' THEN ${json()}::numeric END)`,
            l,
            'numeric',
          );
        }
        if (isIsoDate(sample)) {
          return this.range(`mmlite_try_timestamptz(${text()})`, l, 'timestamptz');
        }
        return this.range(
          `(CASE WHEN jsonb_typeof(${json()}) = 'string' THEN ${text()} END)`,
          l,
          'text',
        );
      }
    }
  }
}

/** SQL boolean over `c` (contacts) for a validated filter; values go into `params`. */
export function compileFilter(f: FilterNode, params: SqlParams, ctx: CompileContext): string {
  return new Compiler(params, ctx).node(f);
}

/** Where a snapshot of the filter's contacts is best read from (the rest is filtered). */
export type FilterDriver =
  { kind: 'audience'; id: string } | { kind: 'campaign'; id: string } | { kind: 'workspace' };

/** An audience or campaign every match must belong to: a conjunct at the top of the tree. */
export function driverOf(f: FilterNode): FilterDriver {
  const conjuncts = 'all' in f ? f.all : [f];
  for (const n of conjuncts) {
    if ('audience' in n) {
      return { kind: 'audience', id: n.audience };
    }
  }
  for (const n of conjuncts) {
    if ('campaign' in n) {
      return { kind: 'campaign', id: n.campaign };
    }
  }
  return { kind: 'workspace' };
}

/** A campaign's whole target: what it targets, minus every exclusion. */
export function targetFilter(target: FilterNode, exclusions: readonly FilterNode[]): FilterNode {
  if (exclusions.length === 0) {
    return target;
  }
  const conjuncts = 'all' in target ? target.all : [target];
  return { all: [...conjuncts, { not: { any: [...exclusions] } }] };
}

/** The frequency cap as SQL inputs: a contact is held when it got `max` messages since `since`. */
export interface CapWindow {
  max: number;
  since: Date;
}

/** The contact `c` is held by the frequency cap (counts every campaign of its workspace). */
export function cappedSql(p: SqlParams, cap: CapWindow): string {
  return `(SELECT count(*) FROM campaign_messages cm
            WHERE cm.contact_id = c.id AND ${MESSAGED_SQL('cm')}
              AND ${MESSAGED_AT_SQL('cm')} >= ${p.add(cap.since, 'timestamptz')}) >= ${p.add(cap.max, 'int')}`;
}

/** A US number (by NANP area code, see usAreaCodes in libs/audiences). */
export function usPhoneSql(p: SqlParams, usAreaCodes: readonly string[]): string {
  return `(c.phone LIKE '+1%' AND substr(c.phone, 3, 3) = ANY(${p.add(usAreaCodes, 'text[]')}))`;
}

/** What a campaign could send to: opted in, not a US number, not held by the frequency cap. */
export function eligibleSql(
  p: SqlParams,
  usAreaCodes: readonly string[],
  cap: CapWindow | null,
): string {
  return `(c.consent_status = 'opted_in' AND NOT ${usPhoneSql(p, usAreaCodes)}${
    cap ? ` AND NOT ${cappedSql(p, cap)}` : ''
  })`;
}
