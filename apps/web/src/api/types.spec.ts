import { describe, expect, it } from '@jest/globals';
import { mayStillChange, type Campaign } from './types';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const campaign = (status: Campaign['status'], endedMsAgo: number | null): Campaign =>
  ({
    status,
    completedAt: status === 'completed' && endedMsAgo !== null ? ago(endedMsAgo) : null,
    updatedAt: ago(endedMsAgo ?? 0),
  }) as Campaign;

describe('whether a campaign page keeps polling', () => {
  it('polls while a campaign is scheduled, running or paused', () => {
    for (const s of ['scheduled', 'running', 'paused'] as const) {
      expect(mayStillChange(campaign(s, 3_600_000))).toBe(true);
    }
  });

  it('keeps polling a few minutes after the end, for the receipts still coming, then stops', () => {
    expect(mayStillChange(campaign('completed', 60_000))).toBe(true);
    expect(mayStillChange(campaign('cancelled', 60_000))).toBe(true);
    expect(mayStillChange(campaign('completed', 11 * 60_000))).toBe(false);
    expect(mayStillChange(campaign('draft', 0))).toBe(false);
    expect(mayStillChange(undefined)).toBe(false);
  });
});
