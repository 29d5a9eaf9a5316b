import { nextStatus, resumeTarget, statusesAllowing } from './campaign-status';
import { callingCodeOf, estimateCost, estimatePlan, isScheduleMissed } from './plan';
import {
  decideAfterFailure,
  pairRateBackoffMs,
  transientBackoffMs,
  DEFAULT_RETRY_POLICY,
} from './send-outcome';
import { isInsideWindow, msUntilWindowOpens, validateSendWindow } from './send-window';

describe('campaign status machine', () => {
  it('moves draft → scheduled → running → completed', () => {
    expect(nextStatus('draft', 'schedule')).toBe('scheduled');
    expect(nextStatus('scheduled', 'start')).toBe('running');
    expect(nextStatus('running', 'finish')).toBe('completed');
  });

  it('pauses, resumes and cancels at any live point', () => {
    expect(nextStatus('running', 'pause')).toBe('paused');
    expect(nextStatus('scheduled', 'pause')).toBe('paused');
    expect(nextStatus('paused', 'resume')).toBe('running');
    for (const s of ['draft', 'scheduled', 'running', 'paused'] as const) {
      expect(nextStatus(s, 'cancel')).toBe('cancelled');
    }
  });

  it('does not resume a campaign that was never paused, nor touch a finished one', () => {
    expect(nextStatus('running', 'resume')).toBeNull();
    expect(nextStatus('completed', 'cancel')).toBeNull();
    expect(nextStatus('cancelled', 'resume')).toBeNull();
    expect(nextStatus('failed', 'start')).toBeNull();
  });

  it('lists the statuses an action may start from', () => {
    expect(statusesAllowing('pause').sort()).toEqual(['running', 'scheduled']);
    expect(statusesAllowing('fail').sort()).toEqual(['paused', 'running', 'scheduled']);
  });

  it('resumes a paused campaign to scheduled while its time is still ahead', () => {
    const now = new Date('2030-01-01T10:00:00Z');
    expect(resumeTarget(new Date('2030-01-01T11:00:00Z'), now)).toBe('scheduled');
    expect(resumeTarget(new Date('2030-01-01T09:00:00Z'), now)).toBe('running');
    expect(resumeTarget(null, now)).toBe('running');
  });
});

describe('send window', () => {
  const w = { start: '09:00', end: '20:00' };

  it('is open inside the hours in the given time zone', () => {
    // 12:00 UTC is 09:00 in São Paulo (UTC−3): just open.
    expect(isInsideWindow(w, 'America/Sao_Paulo', new Date('2030-03-01T12:00:00Z'))).toBe(true);
    expect(isInsideWindow(w, 'America/Sao_Paulo', new Date('2030-03-01T11:59:00Z'))).toBe(false);
    expect(isInsideWindow(w, 'America/Sao_Paulo', new Date('2030-03-01T23:00:00Z'))).toBe(false);
  });

  it('handles windows that wrap past midnight', () => {
    const night = { start: '22:00', end: '02:00' };
    expect(isInsideWindow(night, 'UTC', new Date('2030-03-01T23:30:00Z'))).toBe(true);
    expect(isInsideWindow(night, 'UTC', new Date('2030-03-02T01:59:00Z'))).toBe(true);
    expect(isInsideWindow(night, 'UTC', new Date('2030-03-02T02:00:00Z'))).toBe(false);
  });

  it('says how long until it opens', () => {
    expect(msUntilWindowOpens(w, 'UTC', new Date('2030-03-01T08:30:00Z'))).toBe(30 * 60_000);
    expect(msUntilWindowOpens(w, 'UTC', new Date('2030-03-01T08:30:30Z'))).toBe(
      29 * 60_000 + 30_000,
    );
    expect(msUntilWindowOpens(w, 'UTC', new Date('2030-03-01T21:00:00Z'))).toBe(12 * 3600_000);
    expect(msUntilWindowOpens(w, 'UTC', new Date('2030-03-01T10:00:00Z'))).toBe(0);
  });

  it('rejects malformed windows', () => {
    expect(validateSendWindow({ start: '9:00', end: '25:00', timezone: 'Mars/Base' })).toHaveLength(
      3,
    );
    expect(validateSendWindow({ start: '09:00', end: '09:00', timezone: 'UTC' })).toEqual([
      'start and end may not be equal',
    ]);
  });
});

describe('after a failed send', () => {
  it('slows down and retries on 130429', () => {
    expect(decideAfterFailure('throughput', 130429, 1, 0)).toEqual({
      action: 'retry',
      afterMs: 1000,
      slowDown: true,
    });
  });

  it('retries 131056 after 4^X seconds, then gives up', () => {
    expect([0, 1, 2, 3].map(pairRateBackoffMs)).toEqual([1000, 4000, 16000, 64000]);
    expect(decideAfterFailure('pair-rate', 131056, 1, 2)).toEqual({
      action: 'retry',
      afterMs: 16000,
      slowDown: false,
    });
    expect(
      decideAfterFailure('pair-rate', 131056, 6, DEFAULT_RETRY_POLICY.maxPairRateAttempts - 1)
        .action,
    ).toBe('fail');
  });

  it('backs off transient errors with capped jitter, then fails the message', () => {
    expect(transientBackoffMs(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
    expect(transientBackoffMs(3, DEFAULT_RETRY_POLICY, () => 1)).toBe(4000);
    expect(transientBackoffMs(30, DEFAULT_RETRY_POLICY, () => 1)).toBe(
      DEFAULT_RETRY_POLICY.maxBackoffMs,
    );
    expect(decideAfterFailure('transient', 131016, 6, 0).action).toBe('fail');
  });

  it('never retries capped, opted-out or undeliverable recipients, and records the opt-out', () => {
    expect(decideAfterFailure('per-user-cap', 131049, 1, 0)).toEqual({
      action: 'fail',
      optOut: false,
    });
    expect(decideAfterFailure('opted-out', 131050, 1, 0)).toEqual({ action: 'fail', optOut: true });
    expect(decideAfterFailure('permanent', 131026, 1, 0)).toEqual({
      action: 'fail',
      optOut: false,
    });
  });

  it('pauses on a bad token or a paused template and fails on a disabled one', () => {
    expect(decideAfterFailure('auth', 190, 1, 0)).toEqual({
      action: 'pause-campaign',
      reason: 'access_token_invalid',
    });
    expect(decideAfterFailure('template', 132015, 1, 0)).toEqual({
      action: 'pause-campaign',
      reason: 'template_paused',
    });
    expect(decideAfterFailure('template', 132016, 1, 0)).toEqual({
      action: 'fail-campaign',
      reason: 'template_disabled',
    });
    expect(decideAfterFailure('template', 132000, 1, 0)).toEqual({ action: 'fail', optOut: false });
  });
});

describe('plan arithmetic', () => {
  it('estimates the send time at the governor rate', () => {
    expect(
      estimatePlan({
        eligible: 10_000,
        mps: 80,
        messagingLimitRemaining: null,
        messagingLimitPerDay: null,
      }),
    ).toEqual({
      sendSeconds: 125,
      heldByMessagingLimit: 0,
      extraDaysForMessagingLimit: 0,
      etaSeconds: 125,
    });
  });

  it('spreads what the messaging limit holds over following days', () => {
    const e = estimatePlan({
      eligible: 5000,
      mps: 80,
      messagingLimitRemaining: 1500,
      messagingLimitPerDay: 2000,
    });
    expect(e.heldByMessagingLimit).toBe(3500);
    expect(e.extraDaysForMessagingLimit).toBe(2);
    expect(e.etaSeconds).toBe(2 * 86_400 + Math.ceil(1500 / 80));
  });

  it('prices recipients by the longest calling-code prefix', () => {
    expect(callingCodeOf('+5511912345678', ['5', '55', '1'])).toBe('55');
    expect(callingCodeOf('+4915112345678', ['55'])).toBeNull();
    const cost = estimateCost(
      new Map<string | null, number>([
        ['55', 1000],
        ['44', 10],
        [null, 3],
      ]),
      [
        { callingCode: '55', currency: 'USD', marketingRate: 0.0625 },
        { callingCode: '44', currency: 'USD', marketingRate: 0.0529 },
      ],
    );
    expect(cost).toEqual({
      currency: 'USD',
      total: 63.029,
      byCountry: [
        { callingCode: '55', recipients: 1000, cost: 62.5 },
        { callingCode: '44', recipients: 10, cost: 0.529 },
      ],
      unpriced: 3,
    });
  });

  it('counts a schedule as missed only beyond the grace', () => {
    const at = new Date('2030-01-01T10:00:00Z');
    expect(isScheduleMissed(at, new Date('2030-01-01T10:04:59Z'), 300_000)).toBe(false);
    expect(isScheduleMissed(at, new Date('2030-01-01T10:05:01Z'), 300_000)).toBe(true);
  });
});
