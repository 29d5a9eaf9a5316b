import { addCounters, counterDelta, mergeStatus, type MessageState } from './message-status';

const s = (
  status: MessageState['status'],
  accepted = false,
  clicked = false,
  billable = false,
): MessageState => ({
  status,
  accepted,
  clicked,
  billable,
});

describe('mergeStatus', () => {
  it('only moves forward', () => {
    expect(mergeStatus('sent', 'delivered')).toBe('delivered');
    expect(mergeStatus('delivered', 'sent')).toBe('delivered');
    expect(mergeStatus('read', 'delivered')).toBe('read');
    expect(mergeStatus('sending', 'read')).toBe('read');
  });

  it('lets failed end an undelivered message but never a delivered one', () => {
    expect(mergeStatus('sent', 'failed')).toBe('failed');
    expect(mergeStatus('sending', 'failed')).toBe('failed');
    expect(mergeStatus('delivered', 'failed')).toBe('delivered');
    expect(mergeStatus('failed', 'read')).toBe('failed');
  });

  it('never moves skipped or cancelled messages', () => {
    expect(mergeStatus('skipped', 'sent')).toBe('skipped');
    expect(mergeStatus('cancelled', 'read')).toBe('cancelled');
  });
});

describe('counterDelta', () => {
  it('counts a new message as targeted and queued', () => {
    expect(counterDelta(null, s('pending'))).toEqual({ targeted: 1, queued: 1 });
    expect(counterDelta(null, s('skipped'))).toEqual({ targeted: 1, skipped: 1 });
  });

  it('moves a message through the funnel without double counting', () => {
    const total = {};
    addCounters(total, counterDelta(null, s('pending')));
    addCounters(total, counterDelta(s('pending'), s('sending')));
    addCounters(total, counterDelta(s('sending'), s('sent', true, false, true)));
    addCounters(total, counterDelta(s('sent', true, false, true), s('read', true, false, true)));
    // a duplicate read and a late delivered change nothing
    addCounters(total, counterDelta(s('read', true, false, true), s('read', true, false, true)));
    expect(total).toEqual({ targeted: 1, sent: 1, delivered: 1, read: 1, billable: 1 });
  });

  it('counts an accepted message that failed later as sent and failed', () => {
    expect(counterDelta(s('sent', true), s('failed', true))).toEqual({ failed: 1 });
    expect(counterDelta(s('sending'), s('failed', false))).toEqual({ sending: -1, failed: 1 });
  });

  it('counts a click once', () => {
    expect(counterDelta(s('read', true), s('read', true, true))).toEqual({ clicked: 1 });
    expect(counterDelta(s('read', true, true), s('read', true, true))).toEqual({});
  });
});
