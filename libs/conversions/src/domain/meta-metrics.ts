/**
 * Reading what Meta reports about a template into our rows. The shapes are structural copies of
 * the Graph contract (domain/ imports no lib but common). Conversion keys in template analytics
 * are undocumented (MMLITE §7.1 [?]): every extra numeric key is kept, upper-cased.
 */
export interface AnalyticsPoint {
  template_id: string;
  start: number;
  sent?: number;
  delivered?: number;
  read?: number;
  clicked?: Array<{ count: number }>;
  cost?: Array<{ type: string; value: number }>;
  [key: string]: unknown;
}

export interface DayMetrics {
  day: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  cost: number | null;
  conversions: Record<string, number>;
}

const KNOWN_KEYS = new Set([
  'template_id',
  'start',
  'end',
  'sent',
  'delivered',
  'read',
  'clicked',
  'cost',
]);

export function dayMetrics(p: AnalyticsPoint): DayMetrics {
  const conversions: Record<string, number> = {};
  for (const [k, v] of Object.entries(p)) {
    if (!KNOWN_KEYS.has(k) && typeof v === 'number' && Number.isFinite(v)) {
      conversions[k.toUpperCase()] = v;
    }
  }
  const spent = p.cost?.find((c) => c.type === 'amount_spent');
  return {
    day: new Date(p.start * 1000).toISOString().slice(0, 10),
    sent: p.sent ?? 0,
    delivered: p.delivered ?? 0,
    read: p.read ?? 0,
    clicked: (p.clicked ?? []).reduce((n, c) => n + (Number.isFinite(c.count) ? c.count : 0), 0),
    cost: spent && Number.isFinite(spent.value) ? spent.value : null,
    conversions,
  };
}

/** `YYYY-MM-DD` of Meta's `date_stop`/`date_start`, or null when absent or malformed. */
export function metaDate(v: string | undefined): string | null {
  return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}
