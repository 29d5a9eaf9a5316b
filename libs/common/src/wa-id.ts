// Meta writes phone numbers as digits without '+' (`to`, `wa_id`, `recipient_id`, `from`); the
// engine keeps E.164 (`+5511…`). These two are the only place the '+' is added or taken away.

/** E.164 → Meta's digits: `+5511912345678` → `5511912345678`. */
export function toWaId(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164;
}

/** Meta's digits → E.164: `5511912345678` → `+5511912345678` (an E.164 input is returned as is). */
export function fromWaId(waId: string): string {
  return waId.startsWith('+') ? waId : `+${waId}`;
}
