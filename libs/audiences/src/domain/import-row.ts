import type { ColumnPlan } from './csv-columns';
import { normalizePhone } from './phone';

/** One contact as a CSV row describes it; empty cells are "not given", not "erase". */
export interface ContactRow {
  phone: string;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, string>;
}

export type RowResult =
  { ok: true; row: ContactRow } | { ok: false; column?: string; reason: string };

export const MAX_VALUE_CHARS = 1000;
export const MAX_LOCALE_CHARS = 35;
export const MAX_TIMEZONE_CHARS = 64;

const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;
const knownZones = new Map<string, boolean>();

export function normalizeLocale(value: string): string | null {
  return LOCALE.test(value) ? value.replace(/_/g, '-') : null;
}

/** True for an IANA time zone this runtime knows; answers are cached (lists hold few zones). */
export function isTimeZone(value: string): boolean {
  let known = knownZones.get(value);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 10_000) {
      knownZones.set(value, known);
    }
  }
  return known;
}

/** Validates one data row against the column plan; the first problem found is the reason. */
export function readRow(
  record: readonly string[],
  plan: ColumnPlan,
  defaultCountry: string | null,
): RowResult {
  if (record.length !== plan.width) {
    return {
      ok: false,
      reason: `expected ${plan.width} columns, found ${record.length}`,
    };
  }
  const phoneRaw = record[plan.phone] ?? '';
  const phone = normalizePhone(phoneRaw, defaultCountry);
  if (!phone.ok) {
    return { ok: false, column: plan.header[plan.phone], reason: phone.reason };
  }
  let locale: string | null = null;
  if (plan.locale !== null) {
    const raw = (record[plan.locale] ?? '').trim();
    if (raw.length > MAX_LOCALE_CHARS) {
      return {
        ok: false,
        column: plan.header[plan.locale],
        reason: `value is longer than ${MAX_LOCALE_CHARS} characters`,
      };
    }
    if (raw !== '') {
      locale = normalizeLocale(raw);
      if (!locale) {
        return {
          ok: false,
          column: plan.header[plan.locale],
          reason: 'locale is not a language tag like pt-BR',
        };
      }
    }
  }
  let timezone: string | null = null;
  if (plan.timezone !== null) {
    const raw = (record[plan.timezone] ?? '').trim();
    if (raw.length > MAX_TIMEZONE_CHARS) {
      return {
        ok: false,
        column: plan.header[plan.timezone],
        reason: `value is longer than ${MAX_TIMEZONE_CHARS} characters`,
      };
    }
    if (raw !== '') {
      if (!isTimeZone(raw)) {
        return {
          ok: false,
          column: plan.header[plan.timezone],
          reason: 'timezone is not an IANA time zone like America/Sao_Paulo',
        };
      }
      timezone = raw;
    }
  }
  const attributes: Record<string, string> = {};
  for (const { index, name } of plan.attributes) {
    const value = record[index] ?? '';
    if (value.length > MAX_VALUE_CHARS) {
      return {
        ok: false,
        column: plan.header[index],
        reason: `value is longer than ${MAX_VALUE_CHARS} characters`,
      };
    }
    if (value !== '') {
      attributes[name] = value;
    }
  }
  return { ok: true, row: { phone: phone.e164, locale, timezone, attributes } };
}

/**
 * An import writes its contacts in this many lanes (transactions on as many connections), split by
 * phone, so Postgres works on the parts at once. Fixed (imports.part_checkpoints has one entry per
 * lane): a restart must send every phone to the lane that committed it before.
 */
export const WRITE_PARTS = 2;

/** The part of a batch that writes this (normalised) phone; one phone always lands in one part. */
export function writePartOf(phone: string): number {
  return phone.charCodeAt(phone.length - 1) % WRITE_PARTS;
}

/** Two rows for one phone become one contact: later non-empty values win, attributes merge. */
export function mergeRows(earlier: ContactRow, later: ContactRow): ContactRow {
  return {
    phone: earlier.phone,
    locale: later.locale ?? earlier.locale,
    timezone: later.timezone ?? earlier.timezone,
    attributes: { ...earlier.attributes, ...later.attributes },
  };
}
