import {
  isNewOptOut,
  mergeStatus,
  mergeStatusEvents,
  messageStatusOf,
  stateOf,
  type DeliveryStatus,
  type StatusEvent,
} from './delivery-status';

const T0 = Date.UTC(2030, 0, 1);
let nextId = 1;

function ev(
  status: DeliveryStatus,
  secondsAfter: number,
  extra: Partial<StatusEvent> = {},
): StatusEvent {
  return {
    wamid: 'wamid.A',
    status,
    at: new Date(T0 + secondsAfter * 1000),
    recipientId: '5511999990000',
    recipientUserId: null,
    callbackData: 'cb-1',
    phoneNumberId: '100000000000002',
    wabaId: '100000000000001',
    error:
      status === 'failed'
        ? { code: 131049, title: 'ecosystem', message: 'ecosystem', details: 'd' }
        : null,
    pricing: null,
    eventId: String(nextId++),
    ...extra,
  };
}

function fold(events: StatusEvent[]) {
  const [state] = mergeStatusEvents(events);
  return state!;
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) {
    return [xs];
  }
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

describe('message status merge', () => {
  it('moves forward: sent, delivered, read', () => {
    const s = fold([ev('sent', 0), ev('delivered', 5), ev('read', 9)]);
    expect(s.status).toBe('read');
    expect(s.sentAt?.getTime()).toBe(T0);
    expect(s.deliveredAt?.getTime()).toBe(T0 + 5000);
    expect(s.readAt?.getTime()).toBe(T0 + 9000);
  });

  it('ends in the same state whatever the order, with duplicates', () => {
    const events = [ev('sent', 0), ev('delivered', 5), ev('read', 9), ev('delivered', 5)];
    const states = permutations(events).map((p) => {
      const s = fold(p);
      return { ...s, lastEventId: 'x' };
    });
    for (const s of states) {
      expect(s).toEqual(states[0]);
    }
    expect(states[0]!.status).toBe('read');
  });

  it('never downgrades: a late delivered after read keeps read but records its time', () => {
    const read = stateOf(ev('read', 9));
    const merged = mergeStatus(read, stateOf(ev('delivered', 5)));
    expect(merged.status).toBe('read');
    expect(merged.deliveredAt?.getTime()).toBe(T0 + 5000);
  });

  it('accepts read without delivered (Meta skips delivered when both coincide)', () => {
    const s = fold([ev('sent', 0), ev('read', 3)]);
    expect(s.status).toBe('read');
    expect(s.deliveredAt).toBeNull();
  });

  it('treats failed as terminal, even after delivered, keeping the error', () => {
    const delivered = fold([ev('sent', 0), ev('delivered', 2)]);
    const failed = mergeStatus(delivered, stateOf(ev('failed', 4)));
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe(131049);
    expect(failed.deliveredAt?.getTime()).toBe(T0 + 2000);
    const late = mergeStatus(failed, stateOf(ev('read', 6)));
    expect(late.status).toBe('failed');
    expect(late.readAt?.getTime()).toBe(T0 + 6000);
  });

  it('keeps the error of the earliest failure whatever the order', () => {
    const first = ev('failed', 1, {
      error: { code: 131050, title: 'stopped', message: null, details: null },
    });
    const second = ev('failed', 8);
    expect(fold([second, first]).error?.code).toBe(131050);
    expect(fold([first, second]).error?.code).toBe(131050);
  });

  it('keeps the pricing of the highest-ranked status that carried one', () => {
    const sentPricing = {
      category: 'marketing_lite',
      type: 'regular',
      model: 'PMP',
      billable: true,
    };
    const deliveredPricing = { ...sentPricing, category: 'marketing' };
    const a = ev('sent', 0, { pricing: sentPricing });
    const b = ev('delivered', 2, { pricing: deliveredPricing });
    const c = ev('read', 3);
    for (const order of permutations([a, b, c])) {
      expect(fold(order).pricing).toEqual(deliveredPricing);
    }
  });

  it('keeps identity fields from the first event that had them', () => {
    const s = fold([ev('sent', 0, { callbackData: null }), ev('delivered', 1)]);
    expect(s.callbackData).toBe('cb-1');
  });

  it('folds a batch into one delta per wamid, sorted', () => {
    const deltas = mergeStatusEvents([
      ev('sent', 0, { wamid: 'wamid.B' }),
      ev('sent', 0, { wamid: 'wamid.A' }),
      ev('read', 2, { wamid: 'wamid.B' }),
    ]);
    expect(deltas.map((d) => [d.wamid, d.status])).toEqual([
      ['wamid.A', 'sent'],
      ['wamid.B', 'read'],
    ]);
  });
});

describe('what a campaign message shows', () => {
  it("is the ledger's status, played counted as read", () => {
    expect(messageStatusOf('delivered')).toBe('delivered');
    expect(messageStatusOf('played')).toBe('read');
    expect(messageStatusOf('failed')).toBe('failed');
  });

  it('flags a new 131050 failure as an opt-out once, not on its duplicates', () => {
    const stop = stateOf(
      ev('failed', 1, { error: { code: 131050, title: 'stopped', message: null, details: null } }),
    );
    expect(isNewOptOut(null, stop)).toBe(true);
    expect(isNewOptOut(stop.failedAt, mergeStatus(stop, stop))).toBe(false);
    expect(isNewOptOut(null, stateOf(ev('failed', 1)))).toBe(false);
  });

  it('ends failed whether the failure comes before or after delivered (§4.3: failed is terminal)', () => {
    const delivered = stateOf(ev('delivered', 2));
    const failed = stateOf(ev('failed', 4));
    expect(mergeStatus(delivered, failed).status).toBe('failed');
    expect(mergeStatus(failed, delivered).status).toBe('failed');
    expect(messageStatusOf(mergeStatus(failed, delivered).status)).toBe('failed');
  });
});
