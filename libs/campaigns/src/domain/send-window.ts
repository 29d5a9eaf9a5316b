/**
 * An optional daily window in which sending is allowed, e.g. 09:00–20:00, in the campaign's time
 * zone or in each contact's own (falling back to the campaign's when the contact has none).
 */
export interface SendWindow {
  start: string;
  end: string;
  timezone: string;
  perContactTimezone?: boolean;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validateSendWindow(w: SendWindow): string[] {
  const problems: string[] = [];
  if (!HHMM.test(w.start)) {
    problems.push('start must be HH:MM (24 h)');
  }
  if (!HHMM.test(w.end)) {
    problems.push('end must be HH:MM (24 h)');
  }
  if (HHMM.test(w.start) && w.start === w.end) {
    problems.push('start and end may not be equal');
  }
  if (!isValidTimezone(w.timezone)) {
    problems.push(`unknown time zone ${w.timezone}`);
  }
  return problems;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Minutes since local midnight and the local date parts of `at` in `timezone`. */
function localClock(at: Date, timezone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

/** True when `at` falls inside the window in `timezone` (windows may wrap past midnight). */
export function isInsideWindow(
  w: Pick<SendWindow, 'start' | 'end'>,
  timezone: string,
  at: Date,
): boolean {
  const now = localClock(at, timezone).minutes;
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * Milliseconds until the window next opens in `timezone` (0 when open now). Walks minute
 * boundaries, which is exact across DST changes without a time-zone library.
 */
export function msUntilWindowOpens(
  w: Pick<SendWindow, 'start' | 'end'>,
  timezone: string,
  at: Date,
): number {
  if (isInsideWindow(w, timezone, at)) {
    return 0;
  }
  const { seconds } = localClock(at, timezone);
  let t = at.getTime() - seconds * 1000 - (at.getTime() % 1000) + 60_000;
  for (let i = 0; i < 48 * 60; i++, t += 60_000) {
    if (isInsideWindow(w, timezone, new Date(t))) {
      return t - at.getTime();
    }
  }
  return 24 * 3600 * 1000;
}
