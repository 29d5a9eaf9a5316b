import { afterFailure, MAX_RETRY_DELAY_MS } from './retry';

describe('a webhook event that failed', () => {
  const now = new Date(Date.UTC(2030, 0, 1));
  const delayAfter = (attempts: number) => {
    const next = afterFailure(attempts, 100, now);
    return next.kind === 'retry' ? next.at.getTime() - now.getTime() : null;
  };

  it('is retried after 1 s, 2 s, 4 s …, never later than an hour', () => {
    expect([0, 1, 2, 3].map(delayAfter)).toEqual([1000, 2000, 4000, 8000]);
    expect(delayAfter(12)).toBe(MAX_RETRY_DELAY_MS);
    expect(delayAfter(60)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('is a dead letter once it has failed maxAttempts times', () => {
    expect(afterFailure(8, 10, now).kind).toBe('retry');
    expect(afterFailure(9, 10, now)).toEqual({ kind: 'dead' });
    expect(afterFailure(0, 1, now)).toEqual({ kind: 'dead' });
  });
});
