import { isUuid } from '@app/common';

/** The app events Meta knows for MM Lite; any other well-formed name is a custom event. */
export const STANDARD_EVENTS = ['add_to_cart', 'checkout_initiated', 'purchase'] as const;
export const MAX_EVENTS_PER_CALL = 1000;
/** Clock skew we tolerate on `occurredAt` before calling an event "in the future". */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_VALUE = 1e12;

const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const KNOWN_FIELDS = new Set([
  'eventId',
  'eventName',
  'phone',
  'contactId',
  'wamid',
  'value',
  'currency',
  'occurredAt',
]);

const CURRENCIES: ReadonlySet<string> = new Set(
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : [],
);

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && (CURRENCIES.size === 0 || CURRENCIES.has(code));
}

/** Who the event is about: exactly one of the three identifiers. */
export type EventSubject =
  | { kind: 'phone'; phone: string }
  | { kind: 'contactId'; contactId: string }
  | { kind: 'wamid'; wamid: string };

export interface ConversionEvent {
  eventId: string;
  eventName: string;
  subject: EventSubject;
  value: number | null;
  currency: string | null;
  occurredAt: Date;
}

export type ParseResult = { ok: true; event: ConversionEvent } | { ok: false; reason: string };

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

function nonBlank(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/**
 * Checks one event of a batch and says exactly what is wrong with it; the batch keeps the good
 * ones. Phone numbers are only checked for shape here (normalised by the service).
 */
export function parseConversionEvent(raw: unknown, nowMs: number): ParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('event must be an object');
  }
  const e = raw as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) {
    return fail(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
  }
  if (!nonBlank(e.eventId) || e.eventId.length > 200) {
    return fail('eventId is required: a string of 1 to 200 characters');
  }
  if (typeof e.eventName !== 'string' || !EVENT_NAME.test(e.eventName)) {
    return fail(
      'eventName is required: add_to_cart, checkout_initiated, purchase or a custom name (a letter, then up to 63 letters, digits or _)',
    );
  }
  const given = (['phone', 'contactId', 'wamid'] as const).filter(
    (k) => e[k] !== undefined && e[k] !== null,
  );
  if (given.length !== 1) {
    return fail('exactly one of phone, contactId or wamid is required');
  }
  let subject: EventSubject;
  if (given[0] === 'phone') {
    if (!nonBlank(e.phone) || e.phone.length > 32) {
      return fail('phone must be a phone number string');
    }
    subject = { kind: 'phone', phone: e.phone };
  } else if (given[0] === 'contactId') {
    if (typeof e.contactId !== 'string' || !isUuid(e.contactId)) {
      return fail('contactId must be a UUID');
    }
    subject = { kind: 'contactId', contactId: e.contactId };
  } else {
    if (!nonBlank(e.wamid) || e.wamid.length > 256) {
      return fail('wamid must be a non-empty string');
    }
    subject = { kind: 'wamid', wamid: e.wamid };
  }
  let value: number | null = null;
  if (e.value !== undefined && e.value !== null) {
    if (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value < 0) {
      return fail('value must be a number ≥ 0');
    }
    if (e.value > MAX_VALUE) {
      return fail(`value must not exceed ${MAX_VALUE}`);
    }
    value = Math.round(e.value * 10_000) / 10_000;
  }
  let currency: string | null = null;
  if (e.currency !== undefined && e.currency !== null) {
    if (typeof e.currency !== 'string' || !isCurrency(e.currency)) {
      return fail('currency must be an ISO-4217 code such as USD or BRL (upper case)');
    }
    currency = e.currency;
  }
  if (e.eventName === 'purchase' && (value === null || currency === null)) {
    return fail('a purchase needs value and currency');
  }
  if (value !== null && currency === null) {
    return fail('value needs a currency');
  }
  if (currency !== null && value === null) {
    return fail('currency is given without a value');
  }
  if (typeof e.occurredAt !== 'string' || !ISO_INSTANT.test(e.occurredAt)) {
    return fail('occurredAt is required: an ISO-8601 timestamp with a time zone');
  }
  const at = Date.parse(e.occurredAt);
  if (!Number.isFinite(at)) {
    return fail('occurredAt is not a valid date');
  }
  if (at > nowMs + FUTURE_TOLERANCE_MS) {
    return fail('occurredAt is in the future');
  }
  return {
    ok: true,
    event: {
      eventId: e.eventId,
      eventName: e.eventName,
      subject,
      value,
      currency,
      occurredAt: new Date(at),
    },
  };
}
