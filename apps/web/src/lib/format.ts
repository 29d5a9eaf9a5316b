// Numbers, money, percentages and times in the browser's locale (Intl picks it up when the
// locale argument is undefined). Null means "unknown" throughout the API and shows as a dash.
const DASH = '—';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percentage = new Intl.NumberFormat(undefined, {
  style: 'percent',
  maximumFractionDigits: 1,
});
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : integer.format(n);
}

/** A rate the API gives in percent (0–100). */
export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined ? DASH : percentage.format(p / 100);
}

/** part / whole as a percentage, or a dash when there is no whole. */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? percentage.format(part / whole) : DASH;
}

export function formatMoney(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    maximumFractionDigits: amount !== 0 && Math.abs(amount) < 1 ? 4 : 2,
  }).format(amount);
}

/** Amounts in several currencies, e.g. "US$12.50 · €3.00"; a dash when there are none. */
export function formatAmounts(list: ReadonlyArray<{ currency: string; amount: number }>): string {
  return list.length ? list.map((m) => formatMoney(m.amount, m.currency)).join(' · ') : DASH;
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : DASH;
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

/** A UTC day (YYYY-MM-DD) as a short date. */
export function formatDay(ymd: string): string {
  return day.format(new Date(`${ymd}T00:00:00Z`));
}

/** Seconds as the two largest units, e.g. "2 h 5 min", "40 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s} s`;
  }
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) {
      parts.push(`${integer.format(n)} ${name}`);
    }
    rest -= n * size;
    if (parts.length === 2) {
      break;
    }
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ');
}

/** "no_opt_in" → "No opt in": the API's snake_case reasons as text. */
export function humanize(code: string): string {
  const text = code.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
