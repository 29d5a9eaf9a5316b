import {
  CONVERSION_METRICS,
  MM_INSIGHTS_FIELDS,
  type MmInsightsRow,
  type TemplateAnalyticsDataPoint,
  type TemplateAnalyticsMetric,
  type TemplateAnalyticsResponse,
} from '@app/graph-contract';
import { SandboxGraphError } from './graph-error';
import {
  DAY_MS,
  type ProductType,
  type SandboxState,
  type SandboxTemplate,
  type TemplateDay,
} from './sandbox-state';

const BASIC: readonly TemplateAnalyticsMetric[] = ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST'];

/** `start`/`end` are unix seconds or `YYYY-MM-DD`, snapped to 00:00 UTC (§7.1). */
function parseInstant(raw: string | undefined, name: string): number {
  if (!raw) {
    throw SandboxGraphError.invalidParameter(`${name} is required`);
  }
  let ms: number;
  if (/^\d+$/.test(raw)) {
    ms = Number(raw) * 1000;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    ms = Date.parse(`${raw}T00:00:00Z`);
  } else {
    throw SandboxGraphError.invalidParameter(`${name} must be a unix timestamp or YYYY-MM-DD`);
  }
  if (!Number.isFinite(ms)) {
    throw SandboxGraphError.invalidParameter(`${name} is not a valid date`);
  }
  return ms;
}

/** `[1,2]`, `["1","2"]` or `1,2`. */
export function parseIdList(raw: string | undefined): string[] {
  if (!raw) {
    return [];
  }
  const trimmed = raw.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  return inner
    .split(',')
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter((s) => s !== '');
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function dataPoint(
  templateId: string,
  dayMs: number,
  d: TemplateDay | undefined,
  metrics: Set<string>,
  product: ProductType,
): TemplateAnalyticsDataPoint {
  const p: TemplateAnalyticsDataPoint = {
    template_id: templateId,
    start: dayMs / 1000,
    end: (dayMs + DAY_MS) / 1000,
  };
  if (metrics.has('SENT')) {
    p.sent = d?.sent ?? 0;
  }
  if (metrics.has('DELIVERED')) {
    p.delivered = d?.delivered ?? 0;
  }
  if (metrics.has('READ')) {
    p.read = d?.read ?? 0;
  }
  if (metrics.has('CLICKED')) {
    p.clicked = [...(d?.clicks.values() ?? [])].map((c) => ({
      type: c.type,
      button_content: c.content,
      count: c.count,
    }));
  }
  if (metrics.has('COST')) {
    const spent = d?.cost ?? 0;
    const delivered = d?.delivered ?? 0;
    const urlClicks = [...(d?.clicks.values() ?? [])]
      .filter((c) => c.type !== 'quick_reply_button')
      .reduce((n, c) => n + c.count, 0);
    p.cost = [
      { type: 'amount_spent', value: round(spent) },
      ...(delivered > 0 ? [{ type: 'cost_per_delivered', value: round(spent / delivered) }] : []),
      ...(urlClicks > 0
        ? [{ type: 'cost_per_url_button_click', value: round(spent / urlClicks) }]
        : []),
    ];
  }
  // Conversion metrics exist only for MM; their key names are undocumented [?] (§10.7): lowercase metric.
  if (product === 'MARKETING_MESSAGES_API_FOR_WHATSAPP') {
    for (const m of CONVERSION_METRICS) {
      if (metrics.has(m)) {
        p[m.toLowerCase()] = d?.conversions.get(m) ?? 0;
      }
    }
  }
  return p;
}

/** `GET /{waba-id}/template_analytics` (§7.1), computed from what the sandbox really sent. */
export function templateAnalytics(
  state: SandboxState,
  wabaId: string,
  q: Record<string, string | undefined>,
): TemplateAnalyticsResponse {
  const startMs = Math.floor(parseInstant(q.start, 'start') / DAY_MS) * DAY_MS;
  const endMs = parseInstant(q.end, 'end');
  if (endMs <= startMs) {
    throw SandboxGraphError.invalidParameter('end must be after start');
  }
  if (endMs - startMs > 90 * DAY_MS) {
    throw SandboxGraphError.invalidParameter('template analytics cover at most 90 days');
  }
  if (q.granularity && q.granularity.toUpperCase() !== 'DAILY') {
    throw SandboxGraphError.invalidParameter('granularity must be DAILY');
  }
  const ids = parseIdList(q.template_ids);
  if (ids.length === 0 || ids.length > 10) {
    throw SandboxGraphError.invalidParameter('template_ids must list 1 to 10 template ids');
  }
  const productRaw = (q.product_type ?? 'CLOUD_API').toUpperCase();
  if (productRaw !== 'CLOUD_API' && productRaw !== 'MARKETING_MESSAGES_API_FOR_WHATSAPP') {
    throw SandboxGraphError.invalidParameter(
      'product_type must be CLOUD_API or MARKETING_MESSAGES_API_FOR_WHATSAPP',
    );
  }
  const product = productRaw;
  const requested = parseIdList(q.metric_types).map((m) => m.toUpperCase());
  const known = new Set<string>([...BASIC, ...CONVERSION_METRICS]);
  for (const m of requested) {
    if (!known.has(m)) {
      throw SandboxGraphError.invalidParameter(`metric_types: unknown metric ${m}`);
    }
  }
  const metrics = new Set<string>(requested.length > 0 ? requested : BASIC);
  const points: TemplateAnalyticsDataPoint[] = [];
  for (const id of ids) {
    const t = state.templates.get(id);
    if (!t || t.wabaId !== wabaId) {
      throw SandboxGraphError.invalidParameter(`template ${id} does not belong to WABA ${wabaId}`);
    }
    const days = new Map(
      state.templateDays(id, product, startMs, endMs).map((x) => [x.dayMs, x.day]),
    );
    for (let day = startMs; day < endMs; day += DAY_MS) {
      points.push(dataPoint(id, day, days.get(day), metrics, product));
    }
  }
  return {
    data: [{ granularity: 'DAILY', product_type: product.toLowerCase(), data_points: points }],
    paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
  };
}

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function pct(n: number, d: number): string {
  return d > 0 ? ((n / d) * 100).toFixed(6) : '0';
}

/**
 * `GET /{ad-id}/insights` (§7.2) for the ad a marketing template maps to: the last 30 days of MM
 * sends as strings, plus the read/click-rate benchmarks (the template's own, else the default).
 */
export function adInsights(
  state: SandboxState,
  t: SandboxTemplate,
  fieldsRaw: string | undefined,
): MmInsightsRow {
  const allowed = new Set<string>(MM_INSIGHTS_FIELDS);
  const fields = (
    fieldsRaw ?? 'marketing_messages_sent,marketing_messages_delivered,marketing_messages_read'
  )
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of fields) {
    if (!allowed.has(f) && f !== 'date_start' && f !== 'date_stop') {
      throw new SandboxGraphError(400, 100, `${f} is not valid for fields param`);
    }
  }
  const now = state.clock.nowMs();
  const endMs = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const startMs = endMs - 30 * DAY_MS;
  let sent = 0;
  let delivered = 0;
  let read = 0;
  let clicks = 0;
  let spend = 0;
  for (const { day } of state.templateDays(
    t.id,
    'MARKETING_MESSAGES_API_FOR_WHATSAPP',
    startMs,
    endMs,
  )) {
    sent += day.sent;
    delivered += day.delivered;
    read += day.read;
    spend += day.cost;
    for (const c of day.clicks.values()) {
      if (c.type !== 'quick_reply_button') {
        clicks += c.count;
      }
    }
  }
  const bench = t.benchmark ?? state.settings.benchmarks;
  const values: Record<string, string> = {
    marketing_messages_sent: String(sent),
    marketing_messages_delivered: String(delivered),
    marketing_messages_read: String(read),
    marketing_messages_link_btn_click: String(clicks),
    marketing_messages_delivery_rate: pct(delivered, sent),
    marketing_messages_read_rate: pct(read, delivered),
    marketing_messages_link_btn_click_rate: pct(clicks, delivered),
    marketing_messages_spend: spend.toFixed(2),
    marketing_messages_cost_per_delivered: delivered > 0 ? (spend / delivered).toFixed(6) : '0',
    marketing_messages_cost_per_link_btn_click: clicks > 0 ? (spend / clicks).toFixed(6) : '0',
    marketing_messages_read_rate_benchmark: bench.readRate.toFixed(2),
    marketing_messages_click_rate_benchmark: bench.clickRate.toFixed(2),
  };
  const row: MmInsightsRow = { date_start: ymd(startMs), date_stop: ymd(endMs - DAY_MS) };
  for (const f of fields) {
    if (values[f] !== undefined) {
      row[f] = values[f];
    }
  }
  return row;
}
