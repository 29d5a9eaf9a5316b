import { nextStatus, userActions } from './campaign-status';
import { callingCodeOf, estimateCost, estimatePlan, isScheduleMissed } from './plan';
import {
  DEFAULT_RETRY_POLICY,
  outcomeOf,
  TEMPLATE_SYNC_HOLD_MS,
  transientBackoffMs,
  type SendError,
} from './send-outcome';
import { isInsideWindow, msUntilWindowOpens, validateSendWindow } from './send-window';
import { routeOf } from './route';

describe('campaign status machine', () => {
  const now = new Date('2030-01-01T10:00:00Z');
  const ctx = { scheduledAt: null, now };
  const later = { scheduledAt: new Date('2030-01-01T11:00:00Z'), now };

  it('launches a draft now, or into scheduled while its time is ahead', () => {
    expect(nextStatus('draft', 'launch', ctx)).toBe('running');
    expect(nextStatus('draft', 'launch', later)).toBe('scheduled');
    expect(nextStatus('scheduled', 'start', later)).toBe('running');
    expect(nextStatus('running', 'finish', ctx)).toBe('completed');
  });

  it('pauses, resumes and cancels at any live point', () => {
    expect(nextStatus('running', 'pause', ctx)).toBe('paused');
    expect(nextStatus('scheduled', 'pause', ctx)).toBe('paused');
    expect(nextStatus('paused', 'resume', ctx)).toBe('running');
    for (const s of ['draft', 'scheduled', 'running', 'paused'] as const) {
      expect(nextStatus(s, 'cancel', ctx)).toBe('cancelled');
    }
  });

  it('derives every target itself: no action reaches a status the table does not give it', () => {
    const statuses = [
      'draft',
      'scheduled',
      'running',
      'paused',
      'completed',
      'cancelled',
      'failed',
    ] as const;
    const actions = ['launch', 'start', 'pause', 'resume', 'finish', 'cancel', 'fail'] as const;
    const moves: string[] = [];
    for (const from of statuses) {
      for (const action of actions) {
        for (const c of [ctx, later]) {
          const to = nextStatus(from, action, c);
          if (to) {
            moves.push(`${from} -${action}-> ${to}`);
          }
        }
      }
    }
    expect([...new Set(moves)].sort()).toEqual([
      'draft -cancel-> cancelled',
      'draft -launch-> running',
      'draft -launch-> scheduled',
      'paused -cancel-> cancelled',
      'paused -fail-> failed',
      'paused -resume-> running',
      'paused -resume-> scheduled',
      'running -cancel-> cancelled',
      'running -fail-> failed',
      'running -finish-> completed',
      'running -pause-> paused',
      'scheduled -cancel-> cancelled',
      'scheduled -fail-> failed',
      'scheduled -pause-> paused',
      'scheduled -start-> running',
    ]);
  });

  it('does not resume a campaign that was never paused, nor touch a finished one', () => {
    expect(nextStatus('running', 'resume', ctx)).toBeNull();
    expect(nextStatus('completed', 'cancel', ctx)).toBeNull();
    expect(nextStatus('cancelled', 'resume', ctx)).toBeNull();
    expect(nextStatus('draft', 'start', ctx)).toBeNull();
  });

  it("offers the marketer's actions each status allows", () => {
    expect(userActions('draft')).toEqual(['launch', 'cancel']);
    expect(userActions('scheduled')).toEqual(['pause', 'cancel']);
    expect(userActions('running')).toEqual(['pause', 'cancel']);
    expect(userActions('paused')).toEqual(['resume', 'cancel']);
    for (const s of ['completed', 'cancelled', 'failed'] as const) {
      expect(userActions(s)).toEqual([]);
    }
  });

  it('resumes a paused campaign to scheduled while its time is still ahead', () => {
    expect(nextStatus('paused', 'resume', later)).toBe('scheduled');
    expect(
      nextStatus('paused', 'resume', { scheduledAt: new Date('2030-01-01T09:00:00Z'), now }),
    ).toBe('running');
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

describe('after a send', () => {
  const now = new Date('2030-01-01T10:00:00Z');
  const at = new Date('2030-01-01T09:59:59Z');
  const fresh = { attempts: 0, pairRateFailures: 0 };
  const err = (category: SendError['category'], code: number): SendError => ({
    code,
    category,
    title: `error ${code}`,
    details: null,
  });
  const refused = (category: SendError['category'], code: number) =>
    ({ kind: 'refused', at, error: err(category, code) }) as const;

  it('records an accepted send as sent with its wamid, one request counted', () => {
    expect(outcomeOf({ kind: 'accepted', wamid: 'wamid.A', at }, fresh, now)).toEqual({
      change: {
        status: 'sent',
        requested: true,
        wamid: 'wamid.A',
        sentAt: at,
        error: null,
        nextAttemptAt: null,
      },
      effects: [],
    });
  });

  it('keeps a message whose answer was lost in doubt: never retried, never failed', () => {
    for (const attempts of [0, 5, 50]) {
      const o = outcomeOf(
        { kind: 'in-doubt', at, error: err('transient', -1) },
        { attempts, pairRateFailures: 0 },
        now,
      );
      expect(o.change).toMatchObject({ status: 'in_doubt', requested: true });
      expect(o.change.nextAttemptAt).toBeUndefined();
      expect(o.effects).toEqual([]);
    }
  });

  it('counts no request for what never left (connect failed, held, unsent)', () => {
    const never = outcomeOf({ kind: 'never-left', error: err('transient', -1) }, fresh, now);
    expect(never.change).toMatchObject({ status: 'pending', requested: false });
    expect(outcomeOf({ kind: 'held', until: now }, fresh, now).change).toEqual({
      status: 'pending',
      requested: false,
      nextAttemptAt: now,
    });
    expect(outcomeOf({ kind: 'unsent' }, fresh, now).change).toEqual({
      status: 'pending',
      requested: false,
    });
    expect(outcomeOf({ kind: 'opted-out' }, fresh, now).change).toEqual({
      status: 'skipped',
      requested: false,
      skipReason: 'opted_out',
    });
  });

  it('slows down and retries on 130429', () => {
    const o = outcomeOf(refused('throughput', 130429), fresh, now);
    expect(o.change).toMatchObject({
      status: 'pending',
      requested: true,
      nextAttemptAt: new Date(now.getTime() + 1000),
    });
    expect(o.effects).toEqual([{ kind: 'slow-down' }]);
  });

  it('retries 131056 when the pair block ends (4^X s, from the governor), then gives up', () => {
    const o = outcomeOf(refused('pair-rate', 131056), { attempts: 1, pairRateFailures: 2 }, now);
    expect(o.change).toMatchObject({ nextAttemptAt: 'pair-rate', pairRateFailures: 3 });
    expect(o.effects).toEqual([{ kind: 'pair-rate-limited' }]);
    const last = outcomeOf(
      refused('pair-rate', 131056),
      { attempts: 6, pairRateFailures: DEFAULT_RETRY_POLICY.maxPairRateAttempts - 1 },
      now,
    );
    expect(last.change.status).toBe('failed');
  });

  it('backs off transient errors with capped jitter, then fails the message', () => {
    expect(transientBackoffMs(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
    expect(transientBackoffMs(3, DEFAULT_RETRY_POLICY, () => 1)).toBe(4000);
    expect(transientBackoffMs(30, DEFAULT_RETRY_POLICY, () => 1)).toBe(
      DEFAULT_RETRY_POLICY.maxBackoffMs,
    );
    const again = outcomeOf(
      refused('transient', 131000),
      fresh,
      now,
      DEFAULT_RETRY_POLICY,
      () => 0,
    );
    expect(again.change).toMatchObject({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + 500),
    });
    const sixth = outcomeOf(
      refused('transient', 131016),
      { attempts: 5, pairRateFailures: 0 },
      now,
    );
    expect(sixth.change).toMatchObject({ status: 'failed', failedAt: at, requested: true });
  });

  it('never retries capped, opted-out or undeliverable recipients, and records the opt-out', () => {
    expect(outcomeOf(refused('per-user-cap', 131049), fresh, now)).toMatchObject({
      change: { status: 'failed' },
      effects: [],
    });
    expect(outcomeOf(refused('opted-out', 131050), fresh, now)).toMatchObject({
      change: { status: 'failed', error: { code: 131050 } },
      effects: [{ kind: 'opt-out' }],
    });
    expect(outcomeOf(refused('permanent', 131026), fresh, now).change.status).toBe('failed');
  });

  it('pauses on a bad token or a paused template and fails on a disabled one; the message waits', () => {
    const cases: Array<[SendError['category'], number, unknown]> = [
      ['auth', 190, { kind: 'pause-campaign', reason: 'access_token_invalid' }],
      ['template', 132015, { kind: 'pause-campaign', reason: 'template_paused' }],
      ['template', 132016, { kind: 'fail-campaign', reason: 'template_disabled' }],
    ];
    for (const [category, code, effect] of cases) {
      const o = outcomeOf(refused(category, code), fresh, now);
      expect(o.change).toMatchObject({ status: 'pending', requested: true });
      expect(o.effects).toEqual([effect]);
    }
    expect(outcomeOf(refused('template', 132000), fresh, now).change.status).toBe('failed');
  });

  it('holds the campaign for a syncing template (134101): resumed 10 minutes later, not failed', () => {
    const o = outcomeOf(refused('template', 134101), fresh, now);
    expect(o.change).toMatchObject({ status: 'pending', requested: true });
    expect(o.effects).toEqual([
      {
        kind: 'hold-campaign',
        reason: 'template_syncing',
        until: new Date(now.getTime() + TEMPLATE_SYNC_HOLD_MS),
      },
    ]);
  });

  it("classifies Meta's 2025–2026 codes: stop the campaign, or end only the message", () => {
    const stops: Array<[SendError['category'], number, string]> = [
      ['template', 134102, 'mm_unavailable'],
      ['template', 134100, 'template_not_marketing'],
      ['auth', 131063, 'marketing_disabled_on_cloud_api'],
      ['auth', 131064, 'classification_enforcement'],
    ];
    for (const [category, code, reason] of stops) {
      expect(outcomeOf(refused(category, code), fresh, now).effects).toEqual([
        { kind: 'pause-campaign', reason },
      ]);
    }
    // Never retried, the campaign goes on: bid_spec on Cloud API, BSUID recipient, MM template
    // validation, experiment holdout.
    const finals: Array<[SendError['category'], number]> = [
      ['permanent', 131061],
      ['permanent', 131062],
      ['template', 132018],
      ['permanent', 130472],
    ];
    for (const [category, code] of finals) {
      const o = outcomeOf(refused(category, code), fresh, now);
      expect(o.change.status).toBe('failed');
      expect(o.effects).toEqual([]);
    }
    expect(outcomeOf(refused('opted-out', 131050), fresh, now).effects).toEqual([
      { kind: 'opt-out' },
    ]);
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
        { callingCode: '55', currency: 'USD', price: 0.0625 },
        { callingCode: '44', currency: 'USD', price: 0.0529 },
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

describe('routing by category', () => {
  it('sends only MARKETING templates to the MM API, UTILITY to Cloud API, nothing else', () => {
    expect(routeOf({ category: 'MARKETING' })).toBe('marketing_messages');
    expect(routeOf({ category: 'UTILITY' })).toBe('messages');
    expect(routeOf({ category: 'AUTHENTICATION' })).toBeNull();
  });
});
