// Plan-time checks of a campaign's bindings against its target: the failures other tools' users
// meet as 132000/132012 at send time (MMLITE-2026 §3 row 1), named by component and index.
import {
  boundSlots,
  checkSlot,
  expirationMs,
  slotFields,
  validateBindings,
  type BoundSlot,
  type ContactView,
  type TemplateBindings,
} from './render-template';
import type { TemplateDefinition } from './template-model';

export interface BindingProblem {
  /** Where in the message: `card 2 body param 1`, `button 1 (coupon code)`. */
  location: string;
  /** The path in the campaign's `parameters`, e.g. `parameters.cards[1].body[0]`. */
  field: string;
  /** The A/B variant whose bindings these are (null: the campaign's own). */
  variant: string | null;
  kind: 'invalid_binding' | 'missing_field' | 'invalid_value';
  /** The contact field concerned (missing_field, and invalid_value from a field). */
  contactField: string | null;
  /** Contacts concerned (0 for a binding wrong for everyone). */
  contacts: number;
  /** True: a launch is refused. Otherwise the contacts concerned are skipped (missing_attribute). */
  blocking: boolean;
  message: string;
}

/** Kinds of slot whose value has a format of its own to check per contact (text only needs to exist). */
const FORMATTED = new Set<BoundSlot['kind']>([
  'coupon_code',
  'offer_code',
  'expiration',
  'product_id',
  'section_title',
  'media',
]);

/** The slots whose contact-field values must be scanned for their format (the rest is counted in SQL). */
export function formattedSlots(def: TemplateDefinition, b: TemplateBindings): BoundSlot[] {
  return boundSlots(def, b).filter((s) => FORMATTED.has(s.kind) && slotFields(s).length > 0);
}

/** What a scan of the target's opted-in contacts found, for bindingProblems. */
export interface BindingScan {
  /** Opted-in contacts of the target that were checked. */
  checked: number;
  /** Contacts lacking each bound field (`attributes.city` → 13). */
  missing: ReadonlyMap<string, number>;
  /** Per slot location: contacts whose value Meta would refuse, with the first such message. */
  invalid: ReadonlyMap<string, { contacts: number; message: string }>;
}

/**
 * Why Meta would refuse one slot's value for one contact, or null: its format, and for an
 * offer's expiry, an end already past (`nowMs`).
 */
function slotValueProblem(slot: BoundSlot, contact: ContactView, nowMs: number): string | null {
  const r = checkSlot(slot, contact);
  if (!r || 'missing' in r) {
    return null;
  }
  if ('invalid' in r) {
    return r.invalid;
  }
  const ends = slot.kind === 'expiration' ? expirationMs(r.value) : null;
  return ends !== null && ends <= nowMs
    ? `${slot.location}: the offer ended at ${new Date(ends).toISOString()}`
    : null;
}

/** Folds one contact into a scan's invalid counts (the formatted slots only). */
export function scanContact(
  slots: readonly BoundSlot[],
  contact: ContactView,
  nowMs: number,
  invalid: Map<string, { contacts: number; message: string }>,
): void {
  for (const slot of slots) {
    const problem = slotValueProblem(slot, contact, nowMs);
    if (problem) {
      const seen = invalid.get(slot.location);
      invalid.set(slot.location, {
        contacts: (seen?.contacts ?? 0) + 1,
        message: seen?.message ?? problem,
      });
    }
  }
}

const plural = (n: number): string => `${n} contact${n === 1 ? '' : 's'}`;

/**
 * Every binding problem of one template's bindings over the target: bindings wrong for anyone
 * (blocking), a bound field missing for some contacts (they are skipped; blocking when it is
 * missing for all of them), and values Meta would refuse with 132012 (blocking).
 */
export function bindingProblems(
  def: TemplateDefinition,
  b: TemplateBindings,
  scan: BindingScan,
  nowMs: number,
  variant: string | null = null,
): BindingProblem[] {
  const at = variant ? `variant ${variant}: ` : '';
  const out: BindingProblem[] = validateBindings(def, b).map((p) => ({
    location: p.field,
    field: p.field,
    variant,
    kind: 'invalid_binding' as const,
    contactField: null,
    contacts: 0,
    blocking: true,
    message: `${at}${p.message}`,
  }));
  if (out.length) {
    return out;
  }
  for (const slot of boundSlots(def, b)) {
    for (const f of slotFields(slot)) {
      const n = scan.missing.get(f) ?? 0;
      if (n === 0) {
        continue;
      }
      const all = n >= scan.checked;
      out.push({
        location: slot.location,
        field: slot.field,
        variant,
        kind: 'missing_field',
        contactField: f,
        contacts: n,
        blocking: all,
        message: `${at}${slot.location}: contact field '${f}' missing for ${plural(n)}${
          all ? ' (every contact of the target: nobody could be sent to)' : ' (they are skipped)'
        }`,
      });
    }
    // A literal is the same for everyone: judged here, once.
    const literal =
      slot.binding !== null && slotFields(slot).length === 0 && slot.kind === 'expiration'
        ? slotValueProblem(slot, { phone: '', attributes: {} }, nowMs)
        : null;
    const bad = literal
      ? { contacts: scan.checked, message: literal }
      : scan.invalid.get(slot.location);
    if (bad) {
      out.push({
        location: slot.location,
        field: slot.field,
        variant,
        kind: 'invalid_value',
        contactField: slotFields(slot).join(', ') || null,
        contacts: bad.contacts,
        blocking: true,
        message: `${at}${bad.message} (${plural(bad.contacts)}; Meta would refuse them with 132012)`,
      });
    }
  }
  return out;
}
