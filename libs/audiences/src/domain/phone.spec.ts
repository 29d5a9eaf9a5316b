import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { normalizePhone, validE164Fast } from './phone';

describe('normalizePhone', () => {
  it('keeps a valid E.164 number', () => {
    expect(normalizePhone('+5511912345678')).toEqual({ ok: true, e164: '+5511912345678' });
  });

  it('removes what people type between digits', () => {
    expect(normalizePhone(' +55 (11) 91234-5678 ')).toEqual({ ok: true, e164: '+5511912345678' });
    expect(normalizePhone('+1.212.555.0123')).toEqual({ ok: true, e164: '+12125550123' });
  });

  it('reads a 00 prefix as +', () => {
    expect(normalizePhone('00 44 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('uses the default country for national numbers', () => {
    expect(normalizePhone('(11) 91234-5678', 'BR')).toEqual({ ok: true, e164: '+5511912345678' });
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('refuses a national number without a default country', () => {
    const r = normalizePhone('11912345678');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/no country code/);
  });

  it('refuses letters, impossible numbers and empty values', () => {
    expect(normalizePhone('call me')).toMatchObject({ ok: false });
    expect(normalizePhone('+1234')).toMatchObject({
      ok: false,
      reason: 'phone is not a valid number',
    });
    expect(normalizePhone('+5511000')).toMatchObject({ ok: false });
    expect(normalizePhone('   ')).toEqual({ ok: false, reason: 'phone is missing' });
    expect(normalizePhone('+'.padEnd(60, '1'))).toMatchObject({ ok: false });
  });

  it('ignores the default country when the number has its own country code', () => {
    expect(normalizePhone('+12125550123', 'BR')).toEqual({ ok: true, e164: '+12125550123' });
  });
});

describe('validE164Fast (the import fast path)', () => {
  // The library's own verdict, as normalizePhone reached it before the fast path existed.
  function library(e164: string): string | null {
    const parsed = parsePhoneNumberFromString(e164);
    return parsed?.isValid() ? parsed.number : null;
  }

  // A repeatable stream of pseudo-random digits.
  let seed = 42;
  const digit = (): string => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return String(Math.floor((seed / 2_147_483_648) * 10));
  };
  const digits = (n: number): string => Array.from({ length: n }, digit).join('');

  it('agrees with libphonenumber on numbers of every calling code, and applies to most', () => {
    let checked = 0;
    let fast = 0;
    const disagreements: unknown[] = [];
    for (const country of getCountries()) {
      const code = getCountryCallingCode(country);
      const example = (examples as Record<string, string>)[country] ?? digits(9);
      const candidates: string[] = [];
      for (let i = 0; i < 100; i++) {
        // examples with their last 1-5 digits changed (often valid), and random numbers
        const keep = Math.max(1, example.length - 1 - (i % 5));
        candidates.push(`+${code}${example.slice(0, keep)}${digits(example.length - keep)}`);
        candidates.push(`+${code}${digits(4 + (i % 11))}`);
        // the example's first digits with a random rest, behind 0-2 extra leading digits (where
        // national prefixes and carrier codes live)
        const head = example.slice(0, 1 + (i % 3));
        candidates.push(`+${code}${digits(i % 3)}${head}${digits(example.length - head.length)}`);
        // common national prefixes in front of a shortened example
        const prefix = ['0', '90', '9', '8', '1'][i % 5] as string;
        const body = example.slice(0, Math.max(1, example.length - prefix.length));
        candidates.push(`+${code}${prefix}${body.slice(0, -2)}${digits(2)}`);
      }
      for (const e164 of candidates) {
        if (!/^\+[1-9][0-9]{6,14}$/.test(e164)) {
          continue;
        }
        const got = validE164Fast(e164);
        const want = library(e164);
        checked++;
        if (got !== null) {
          fast++;
        }
        const n = normalizePhone(e164);
        if ((got !== null && got !== want) || (n.ok ? n.e164 : null) !== want) {
          disagreements.push({ e164, fast: got, library: want, normalizePhone: n });
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(50_000);
    expect(fast / checked).toBeGreaterThan(0.2);
  });

  it('leaves shared calling codes and national prefixes to the library', () => {
    expect(validE164Fast('+12125550123')).toBeNull(); // +1 is shared by NANP countries
    // Brazil's carrier-selection prefix 90 is stripped by the library
    expect(validE164Fast('+559032781157')).toBeNull();
    expect(normalizePhone('+559032781157')).toEqual({ ok: true, e164: '+5532781157' });
    expect(validE164Fast('+5511912345678')).toBe('+5511912345678');
    expect(normalizePhone('+12125550123')).toEqual({ ok: true, e164: '+12125550123' });
  });
});
