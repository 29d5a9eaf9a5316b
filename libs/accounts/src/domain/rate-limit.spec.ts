import { RATE_WINDOW_MS, rateWindowAt, retryAfterSeconds } from './rate-limit';

describe('the per-key rate window', () => {
  it('is the clock minute, ending at the start of the next one', () => {
    const start = Date.UTC(2030, 0, 1, 12, 0, 0);
    expect(rateWindowAt(start)).toEqual({ index: start / RATE_WINDOW_MS, endsInMs: 60_000 });
    expect(rateWindowAt(start + 59_999)).toEqual({ index: start / RATE_WINDOW_MS, endsInMs: 1 });
    expect(rateWindowAt(start + 60_000).index).toBe(start / RATE_WINDOW_MS + 1);
  });

  it('tells a refused caller to wait whole seconds, never zero', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(60_000)).toBe(60);
  });
});
