import { applyConsent, deriveConsent, NO_CONSENT, type ConsentEvent } from './consent-rule';

const t = (minutes: number): Date => new Date(Date.UTC(2030, 0, 1, 0, minutes));
const ev = (
  status: ConsentEvent['status'],
  minutes: number,
  via: ConsentEvent['via'] = 'api_key',
): ConsentEvent => ({ status, occurredAt: t(minutes), via });

describe('consent rule', () => {
  it('lets the first entry decide for a contact without consent', () => {
    expect(applyConsent(NO_CONSENT, ev('opted_in', 1, 'import'))).toEqual({
      status: 'opted_in',
      changedAt: t(1),
      via: 'import',
    });
    expect(applyConsent(NO_CONSENT, ev('opted_out', 1))?.status).toBe('opted_out');
  });

  it('lets an opt-out win over an older opt-in', () => {
    expect(deriveConsent([ev('opted_in', 1), ev('opted_out', 2)]).status).toBe('opted_out');
  });

  it('keeps a newer explicit opt-in when an older opt-out arrives late', () => {
    const state = deriveConsent([ev('opted_out', 1), ev('opted_in', 5)]);
    expect(state.status).toBe('opted_in');
    expect(applyConsent(state, ev('opted_out', 3))).toBeNull();
  });

  it("lets an opt-out beat an import's opt-in whatever their dates", () => {
    const state = deriveConsent([ev('opted_in', 10, 'import')]);
    expect(applyConsent(state, ev('opted_out', 1, 'webhook'))?.status).toBe('opted_out');
  });

  it("never lets an import's opt-in override an opt-out, however new", () => {
    const state = deriveConsent([ev('opted_out', 1, 'webhook')]);
    expect(applyConsent(state, ev('opted_in', 999, 'import'))).toBeNull();
  });

  it('re-opts in only with an explicit opt-in that happened after the opt-out', () => {
    const out = deriveConsent([ev('opted_out', 5)]);
    expect(applyConsent(out, ev('opted_in', 4))).toBeNull();
    expect(applyConsent(out, ev('opted_in', 5))).toBeNull();
    expect(applyConsent(out, ev('opted_in', 6, 'webhook'))?.status).toBe('opted_in');
  });

  it('treats a repeat of the current status as no change', () => {
    expect(applyConsent(deriveConsent([ev('opted_in', 1)]), ev('opted_in', 2))).toBeNull();
    expect(applyConsent(deriveConsent([ev('opted_out', 1)]), ev('opted_out', 2))).toBeNull();
  });

  it('does not let an import opt-in replace an explicit opt-in (keeps its stronger provenance)', () => {
    const state = deriveConsent([ev('opted_in', 1, 'api_key')]);
    expect(applyConsent(state, ev('opted_in', 2, 'import'))).toBeNull();
  });
});
