/**
 * The consent rule: how one ledger entry changes a contact's current consent. Pure, so the same
 * rule runs for a single POST, a batch from a webhook and (restated in SQL) an import batch.
 *
 * - A contact without any entry takes whatever the first entry says.
 * - An opt-out wins over every older opt-in, and over an import's opt-in whatever its date.
 * - Only an explicit opt-in (API, webhook, system) that happened after the opt-out re-opts in;
 *   an import's opt-in never overrides an opt-out, nor changes an existing consent.
 */

export type ConsentStatus = 'opted_in' | 'opted_out';
export type CurrentConsent = ConsentStatus | 'none';
/** Who appended an entry: an API key, an import, a Meta webhook (STOP/START), or the engine. */
export type RecorderKind = 'api_key' | 'import' | 'webhook' | 'system';

export interface ConsentState {
  status: CurrentConsent;
  /** occurredAt of the entry that set the status; null while status is none. */
  changedAt: Date | null;
  via: RecorderKind | null;
}

export interface ConsentEvent {
  status: ConsentStatus;
  occurredAt: Date;
  via: RecorderKind;
}

export const NO_CONSENT: ConsentState = { status: 'none', changedAt: null, via: null };

/** The state after `event`, or null when the event leaves the current consent as it is. */
export function applyConsent(current: ConsentState, event: ConsentEvent): ConsentState | null {
  const next: ConsentState = { status: event.status, changedAt: event.occurredAt, via: event.via };
  if (current.status === 'none' || current.changedAt === null) {
    return next;
  }
  if (event.status === current.status) {
    return null;
  }
  if (event.status === 'opted_out') {
    // Opting out beats an import's opt-in always, and an explicit opt-in that is not newer.
    if (current.via === 'import' || event.occurredAt.getTime() >= current.changedAt.getTime()) {
      return next;
    }
    return null;
  }
  // event is an opt-in and the contact is opted out
  if (event.via === 'import') {
    return null;
  }
  return event.occurredAt.getTime() > current.changedAt.getTime() ? next : null;
}

/** Current consent from a whole ledger in recorded order (what the stored columns must equal). */
export function deriveConsent(entries: readonly ConsentEvent[]): ConsentState {
  let state = NO_CONSENT;
  for (const e of entries) {
    state = applyConsent(state, e) ?? state;
  }
  return state;
}
