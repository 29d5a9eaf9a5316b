// What happens to a webhook event that failed to apply on its own: retried later with an
// exponential backoff (1 s, 2 s, 4 s … at most an hour), until it has failed maxAttempts times;
// then it is a dead letter, kept and listed, and retried only when someone asks.

export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export type AfterFailure = { kind: 'retry'; at: Date } | { kind: 'dead' };

/** `attempts`: the tries before this failed one. */
export function afterFailure(attempts: number, maxAttempts: number, now: Date): AfterFailure {
  if (attempts + 1 >= maxAttempts) {
    return { kind: 'dead' };
  }
  const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempts, 22));
  return { kind: 'retry', at: new Date(now.getTime() + delay) };
}
