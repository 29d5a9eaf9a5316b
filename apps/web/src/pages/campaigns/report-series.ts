// Chart series of a campaign report, as pure functions (unit-tested beside this file).
import type { ChartData } from '../../components/chart-types';

const HOUR_MS = 3_600_000;
/** More hours than this are shown as they come, without filling the quiet ones in. */
const MAX_FILLED_HOURS = 24 * 45;

export interface HourPoint {
  hour: string;
  delivered: number;
  read: number;
  clicked: number;
}

/**
 * Every hour from the first to the last one with activity (the report leaves quiet hours out),
 * so the x axis is time at an even pace.
 */
export function fillHours(points: readonly HourPoint[]): HourPoint[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) {
    return [];
  }
  const start = Date.parse(first.hour);
  const end = Date.parse(last.hour);
  if ((end - start) / HOUR_MS > MAX_FILLED_HOURS) {
    return [...points];
  }
  const byHour = new Map(points.map((p) => [Date.parse(p.hour), p]));
  const out: HourPoint[] = [];
  for (let t = start; t <= end; t += HOUR_MS) {
    out.push(
      byHour.get(t) ?? { hour: new Date(t).toISOString(), delivered: 0, read: 0, clicked: 0 },
    );
  }
  return out;
}

export interface FunnelCounts {
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  converted: number;
}

export const FUNNEL_STAGES: ReadonlyArray<[keyof FunnelCounts, string]> = [
  ['targeted', 'Targeted'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['read', 'Read'],
  ['clicked', 'Clicked'],
  ['converted', 'Converted'],
];

export function funnelChart(f: FunnelCounts): ChartData {
  return {
    kind: 'bar',
    categories: FUNNEL_STAGES.map(([, label]) => label),
    series: [{ name: 'Recipients', values: FUNNEL_STAGES.map(([k]) => f[k]) }],
  };
}

export function hourlyChart(
  points: readonly HourPoint[],
  label: (iso: string) => string,
): ChartData {
  const hours = fillHours(points);
  return {
    // A line through one or two points says little; bars show them.
    kind: hours.length < 3 ? 'bar' : 'line',
    categories: hours.map((h) => label(h.hour)),
    series: [
      { name: 'Delivered', values: hours.map((h) => h.delivered) },
      { name: 'Read', values: hours.map((h) => h.read) },
      { name: 'Clicked', values: hours.map((h) => h.clicked) },
    ],
  };
}
