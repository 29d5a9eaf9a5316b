import { isUuid } from '@app/common';
import { timeOrderedIds } from './time-ordered-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedIds', () => {
  it('makes version 7 UUIDs whose first 48 bits are the milliseconds', () => {
    const id = timeOrderedIds(0x0123456789ab)();
    expect(id).toMatch(V7);
    expect(isUuid(id)).toBe(true);
    expect(id.slice(0, 13)).toBe('01234567-89ab');
  });

  it('sorts by time across milliseconds and differs within one', () => {
    const a = timeOrderedIds(1_700_000_000_000)();
    const b = timeOrderedIds(1_700_000_000_001)();
    expect(a < b).toBe(true);
    const make = timeOrderedIds(1_700_000_000_000);
    const ids = new Set(Array.from({ length: 1000 }, make));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(V7);
      expect(id.slice(0, 13)).toBe(a.slice(0, 13));
    }
  });
});
