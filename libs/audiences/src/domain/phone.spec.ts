import { normalizePhone } from './phone';

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
