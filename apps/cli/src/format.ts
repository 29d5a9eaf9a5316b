// Pure text formatting for the CLI and the demo: tables, counts, the campaign report, CSV lines.
// No I/O here, so every function is unit-tested on plain values.

export type Cell = string | number | boolean | null | undefined;

/** Digits grouped by thousands (1,234,567); non-integers keep up to `decimals` places. */
export function formatNumber(n: number, decimals = 2): string {
  if (!Number.isFinite(n)) {
    return String(n);
  }
  const fixed = Number.isInteger(n) ? n.toFixed(0) : n.toFixed(decimals).replace(/\.?0+$/, '');
  const [int = '', frac] = fixed.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** A share as a percentage: `fraction` 0.953 → "95.3%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** 65_000 → "1m 05s"; 4_200 → "4.2s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)}s`;
  }
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
}

/** "deliveryRate" / "delivery_rate" → "delivery rate". */
export function humanize(key: string): string {
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

function cellText(v: Cell): string {
  if (v === null || v === undefined) {
    return '-';
  }
  if (typeof v === 'number') {
    return formatNumber(v);
  }
  return String(v);
}

/**
 * An aligned text table with a header rule; numeric columns are right-aligned. `rows` are arrays
 * of cells in the order of `header`.
 */
export function formatTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => header.map((_, i) => cellText(r[i])));
  const numeric = header.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Label/value lines with the values aligned (no header), e.g. a summary. */
export function formatPairs(rows: Array<[string, Cell]>, indent = ''): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${cellText(v)}`.trimEnd()).join('\n');
}

export interface CampaignCounts {
  targeted: number;
  skipped: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
}

export interface CampaignView {
  id: string;
  name: string;
  status: string;
  statusReason?: string | null;
  counts: CampaignCounts;
  startedAt?: string | null;
  completedAt?: string | null;
}

/** Recipients the engine is done with (sent, failed or skipped) out of all targeted. */
export function campaignProgress(c: CampaignView): { done: number; total: number } {
  const total = c.counts.targeted;
  return { done: Math.max(0, total - c.counts.queued - c.counts.sending), total };
}

/** One line of live counts, as the watch bar shows beside its bar. */
export function formatCountsLine(counts: CampaignCounts): string {
  return [
    `sent ${formatNumber(counts.sent)}`,
    `delivered ${formatNumber(counts.delivered)}`,
    `read ${formatNumber(counts.read)}`,
    `clicked ${formatNumber(counts.clicked)}`,
    `failed ${formatNumber(counts.failed)}`,
    `skipped ${formatNumber(counts.skipped)}`,
  ].join(' · ');
}

export const TERMINAL_CAMPAIGN_STATUSES = ['completed', 'cancelled', 'failed'];

/** A campaign as a two-column table (status, timestamps, every count). */
export function formatCampaign(c: CampaignView): string {
  return formatPairs([
    ['id', c.id],
    ['name', c.name],
    ['status', c.statusReason ? `${c.status} (${c.statusReason})` : c.status],
    ['started', c.startedAt ?? null],
    ['completed', c.completedAt ?? null],
    ...Object.entries(c.counts).map(([k, v]: [string, number]): [string, Cell] => [k, v]),
  ]);
}

export interface ImportView {
  id: string;
  status: string;
  totalRows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errors: Array<{ row: number; column?: string; reason: string }>;
  failureReason?: string;
}

/** What an import did, with its first bad rows. */
export function formatImport(i: ImportView, maxErrors = 5): string {
  const lines = [
    `import ${i.id} ${i.status}: ${formatNumber(i.totalRows)} rows read, ` +
      `${formatNumber(i.created)} created, ${formatNumber(i.updated)} updated, ` +
      `${formatNumber(i.skipped)} unchanged, ${formatNumber(i.failed)} rejected`,
  ];
  if (i.failureReason) {
    lines.push(`  failure: ${i.failureReason}`);
  }
  for (const e of i.errors.slice(0, maxErrors)) {
    lines.push(`  row ${e.row}${e.column ? ` (${e.column})` : ''}: ${e.reason}`);
  }
  if (i.failed > maxErrors) {
    lines.push(`  … and ${formatNumber(i.failed - maxErrors)} more rejected rows`);
  }
  return lines.join('\n');
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function isRateKey(key: string): boolean {
  return /rate$|rate[A-Z_]|^rates?$/i.test(key) || /Rate/.test(key);
}

/**
 * Rates in a report are either fractions (0.953) or percents (95.3). When any rate-named value is
 * above 1 the report speaks percents; otherwise fractions. Decided once per report so every rate
 * in one report is shown the same way.
 */
function ratesArePercents(v: Json, key = ''): boolean {
  if (typeof v === 'number') {
    return isRateKey(key) && v > 1;
  }
  if (Array.isArray(v)) {
    return v.some((x) => ratesArePercents(x, key));
  }
  if (isRecord(v)) {
    return Object.entries(v).some(([k, x]) => ratesArePercents(x, isRateKey(key) ? key : k));
  }
  return false;
}

/**
 * A campaign report (GET /v1/campaigns/:id/report) as titled tables. The layout follows the JSON:
 * scalars go to a summary, flat objects become two-column tables, objects of flat objects (e.g. a
 * rate beside its benchmark) and arrays of objects become tables with one column per field. Keys
 * named like rates are shown as percentages.
 */
export function formatReport(report: unknown): string {
  if (!isRecord(report)) {
    return JSON.stringify(report, null, 2);
  }
  const percents = ratesArePercents(report);
  const show = (key: string, v: Json): Cell => {
    if (typeof v === 'number' && isRateKey(key)) {
      return percents ? `${v.toFixed(1)}%` : formatPercent(v);
    }
    if (typeof v === 'number' && /(code|id)$/i.test(key)) {
      return String(v); // an identifier (error code 131026), not a quantity: no grouping
    }
    if (isScalar(v)) {
      return v;
    }
    return JSON.stringify(v);
  };
  const sections: string[] = [];
  const summary: Array<[string, Cell]> = [];
  for (const [key, value] of Object.entries(report)) {
    if (isScalar(value)) {
      summary.push([humanize(key), show(key, value)]);
      continue;
    }
    const title = humanize(key);
    if (Array.isArray(value)) {
      if (value.length === 0) {
        sections.push(`${title}: none`);
      } else if (value.every(isRecord)) {
        const columns = [...new Set(value.flatMap((r) => Object.keys(r)))];
        sections.push(
          `${title}\n${formatTable(
            columns.map(humanize),
            value.map((r) => columns.map((c) => show(c, r[c] ?? null))),
          )}`,
        );
      } else {
        sections.push(`${title}: ${value.map((x) => cellText(show(key, x))).join(', ')}`);
      }
      continue;
    }
    const entries = Object.entries(value);
    if (entries.length === 0) {
      sections.push(`${title}: none`);
    } else if (entries.every(([, v]) => isScalar(v))) {
      sections.push(
        `${title}\n${formatPairs(
          entries.map(([k, v]): [string, Cell] => [humanize(k), show(isRateKey(key) ? key : k, v)]),
          '  ',
        )}`,
      );
    } else if (entries.every(([, v]) => isRecord(v) && Object.values(v).every(isScalar))) {
      const columns = [...new Set(entries.flatMap(([, v]) => Object.keys(v as object)))];
      sections.push(
        `${title}\n${formatTable(
          ['', ...columns.map(humanize)],
          entries.map(([k, v]) => [
            humanize(k),
            ...columns.map((c) =>
              show(isRateKey(k) ? k : c, (v as Record<string, Json>)[c] ?? null),
            ),
          ]),
        )}`,
      );
    } else {
      sections.push(`${title}\n${JSON.stringify(value, null, 2)}`);
    }
  }
  const head = formatPairs(summary);
  return [head, ...sections].filter((s) => s !== '').join('\n\n');
}

/** One CSV record (RFC 4180 quoting), without the line break. */
export function csvLine(values: Cell[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

export const MESSAGE_CSV_COLUMNS = [
  'id',
  'contactId',
  'phone',
  'status',
  'skipReason',
  'wamid',
  'errorCode',
  'errorTitle',
  'attempts',
  'sentAt',
  'deliveredAt',
  'readAt',
  'failedAt',
  'clickedAt',
] as const;

/** A campaign message of GET /v1/campaigns/:id/messages as a CSV record. */
export function messageCsvLine(m: Record<string, unknown>): string {
  return csvLine(MESSAGE_CSV_COLUMNS.map((c) => (m[c] ?? null) as Cell));
}
