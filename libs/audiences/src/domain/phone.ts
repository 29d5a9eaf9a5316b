import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

const E164 = /^\+[1-9][0-9]{6,14}$/;
const SEPARATORS = /[\s\-().\u00a0\u2010-\u2015/]/g;
const COUNTRY = /^[A-Z]{2}$/;

export function isCountryCode(value: string): boolean {
  return COUNTRY.test(value);
}

/**
 * Normalises a phone number as people type it (spaces, dashes, brackets, `00` prefix) to E.164,
 * validated against libphonenumber's metadata. Numbers without `+` need `defaultCountry`.
 */
export function normalizePhone(raw: string, defaultCountry?: string | null): PhoneResult {
  const trimmed = raw.trim();
  if (trimmed.length === 0) {
    return { ok: false, reason: 'phone is missing' };
  }
  if (trimmed.length > 40) {
    return { ok: false, reason: 'phone is too long' };
  }
  // Fast path: already E.164 (the common case of exported lists) skips the clean-up below.
  let candidate = E164.test(trimmed) ? trimmed : trimmed.replace(SEPARATORS, '');
  if (candidate.startsWith('00')) {
    candidate = `+${candidate.slice(2)}`;
  }
  if (!/^\+?[0-9]+$/.test(candidate)) {
    return { ok: false, reason: 'phone contains characters that are not digits' };
  }
  if (!candidate.startsWith('+') && !defaultCountry) {
    return {
      ok: false,
      reason: 'phone has no country code (+…) and no default country is set',
    };
  }
  const parsed = parsePhoneNumberFromString(
    candidate,
    candidate.startsWith('+') ? undefined : (defaultCountry as CountryCode),
  );
  if (!parsed || !parsed.isValid()) {
    return { ok: false, reason: 'phone is not a valid number' };
  }
  return { ok: true, e164: parsed.number };
}
