import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Metadata } from 'libphonenumber-js/core';
import minMetadata from 'libphonenumber-js/min/metadata';
import { parsePhoneNumberFromString as parseWithFullMetadata } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

const E164 = /^\+[1-9][0-9]{6,14}$/;
const SEPARATORS = /[\s\-().\u00a0\u2010-\u2015/]/g;
const COUNTRY = /^[A-Z]{2}$/;

export function isCountryCode(value: string): boolean {
  return COUNTRY.test(value);
}

/** What libphonenumber's metadata says about one calling code, for the E.164 fast path. */
interface CallingCodePlan {
  /** Null when the fast path does not apply (shared code, non-geographic, typed plan). */
  prefixForParsing: RegExp | null;
  national: RegExp;
}

// The runtime API of libphonenumber's Metadata class (its typings declare only the constructor).
interface MetadataView {
  hasCallingCode(code: string): boolean;
  getCountryCodesForCallingCode(code: string): string[] | undefined;
  selectNumberingPlan(country: string): void;
  nationalPrefixForParsing(): string | undefined;
  nationalNumberPattern(): string;
  hasTypes(): boolean;
}

const metadata = new Metadata(minMetadata) as unknown as MetadataView;
const plans = new Map<string, CallingCodePlan | null>();

function planFor(code: string): CallingCodePlan | null {
  let plan = plans.get(code);
  if (plan === undefined) {
    plan = null;
    const countries = metadata.getCountryCodesForCallingCode(code);
    if (countries?.length === 1 && COUNTRY.test(countries[0] as string)) {
      metadata.selectNumberingPlan(countries[0] as string);
      if (!metadata.hasTypes()) {
        const prefix = metadata.nationalPrefixForParsing();
        plan = {
          prefixForParsing: prefix ? new RegExp(`^(?:${prefix})`) : null,
          national: new RegExp(`^(?:${metadata.nationalNumberPattern()})$`),
        };
      }
    }
    plans.set(code, plan);
  }
  return plan;
}

/**
 * libphonenumber's verdict on a number already in E.164 form, without its general parser (two
 * thirds of an import's validation time): for a calling code of one country whose national prefix
 * does not start the number, the number is valid exactly when its national number matches the
 * country's pattern (what parse → isValid does then). Null when that shortcut does not apply or
 * the number is not valid: the caller asks the library. phone.spec compares the two on numbers
 * of every calling code.
 */
export function validE164Fast(e164: string): string | null {
  for (let len = 1; len <= 3; len++) {
    const code = e164.slice(1, 1 + len);
    if (!metadata.hasCallingCode(code)) {
      continue;
    }
    const plan = planFor(code);
    const national = e164.slice(1 + len);
    if (
      !plan ||
      national.length < 2 ||
      national.length > 17 ||
      plan.prefixForParsing?.test(national) ||
      !plan.national.test(national)
    ) {
      return null;
    }
    return e164;
  }
  return null;
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
  const e164Form = E164.test(trimmed);
  if (e164Form && validE164Fast(trimmed) !== null) {
    return { ok: true, e164: trimmed };
  }
  let candidate = e164Form ? trimmed : trimmed.replace(SEPARATORS, '');
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

/** Meta does not deliver marketing templates to United States numbers (MMLITE §1.8). */
export function isUsRecipient(e164: string): boolean {
  if (!e164.startsWith('+1')) {
    return false;
  }
  // Full metadata: the country of a +1 number is decided by its number patterns.
  return parseWithFullMetadata(e164)?.country === 'US';
}

let usAreaCodesCache: string[] | null = null;

/**
 * The NANP area codes (3 digits after +1) that libphonenumber places in the United States, for
 * SQL that must tell US numbers from Canada and the Caribbean without parsing every phone
 * (`substr(phone, 3, 3) = ANY(...)`). The exact per-number check (isUsRecipient) still runs
 * before each send; the two differ only for numbers that are invalid anyway.
 */
export function usAreaCodes(): string[] {
  if (!usAreaCodesCache) {
    const out: string[] = [];
    for (let npa = 200; npa < 1000; npa++) {
      if (['2345678', '5550123', '9876543', '4561234'].some((n) => isUsRecipient(`+1${npa}${n}`))) {
        out.push(String(npa));
      }
    }
    usAreaCodesCache = out;
  }
  return usAreaCodesCache;
}
