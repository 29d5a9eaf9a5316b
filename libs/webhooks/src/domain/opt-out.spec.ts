import { compileOptOutRules, normalizeKeyword, optOutReasonOf } from './opt-out';

const rules = compileOptOutRules({
  stopKeywords: ['STOP', 'UNSUBSCRIBE'],
  optOutButtons: ['Stop promotions', 'STOP_PROMO'],
});
const text = (t: string) => ({ text: t, buttonPayload: null, buttonText: null });

describe('opt-out rules', () => {
  it.each(['STOP', 'stop', '  Stop ', 's t o p', 'STOP!', 'Unsubscribe.', 'ＳＴＯＰ', 'stop\n'])(
    'treats %j as a STOP keyword',
    (t) => {
      expect(optOutReasonOf(text(t), rules)).toBe('keyword');
    },
  );

  it.each(['please stop', "don't stop me now", 'STOPPED', 'top', ''])(
    'does not treat %j as an opt-out',
    (t) => {
      expect(optOutReasonOf(text(t), rules)).toBeNull();
    },
  );

  it('honours the marketing opt-out button by payload or label', () => {
    expect(
      optOutReasonOf({ text: null, buttonPayload: 'STOP_PROMO', buttonText: 'whatever' }, rules),
    ).toBe('button');
    expect(
      optOutReasonOf({ text: null, buttonPayload: null, buttonText: 'stop  promotions' }, rules),
    ).toBe('button');
    expect(
      optOutReasonOf({ text: null, buttonPayload: 'BUY_NOW', buttonText: 'Buy now' }, rules),
    ).toBeNull();
  });

  it('reads a quick reply labelled with a keyword as an opt-out too', () => {
    expect(optOutReasonOf({ text: null, buttonPayload: null, buttonText: 'Stop' }, rules)).toBe(
      'button',
    );
  });

  it('normalizes case, width and spacing the same way for rules and messages', () => {
    expect(normalizeKeyword(' Stop  Promotions ')).toBe('STOPPROMOTIONS');
    expect(compileOptOutRules({ stopKeywords: [' ', ''], optOutButtons: [] }).keywords.size).toBe(
      0,
    );
  });
});
