import { copyEscape, fromCopyTail, toCopyTail } from './copy-row';
import type { ContactRow } from './import-row';

describe('COPY tail of a contact', () => {
  it('escapes the characters COPY text format gives a meaning to', () => {
    expect(copyEscape('plain')).toBe('plain');
    expect(copyEscape('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('writes nulls as \\N and one field per column', () => {
    const c: ContactRow = { phone: '+12125550123', locale: null, timezone: null, attributes: {} };
    expect(toCopyTail(c)).toBe('\t\\N\t\\N\t{}\n');
  });

  it('round-trips values with tabs, newlines, backslashes, quotes and non-ASCII text', () => {
    const c: ContactRow = {
      phone: '+5511987654321',
      locale: 'pt-BR',
      timezone: 'America/Sao_Paulo',
      attributes: {
        note: 'line 1\nline 2\r\n\ttabbed \\ back\\slash "quoted"',
        city: 'São Paulo',
        literal: '\\N',
        emoji: '🎉',
      },
    };
    const tail = toCopyTail(c);
    expect(tail.slice(1, -1).split('\t')).toHaveLength(3);
    expect(tail.slice(0, -1)).not.toMatch(/\n|\r/);
    expect(fromCopyTail(c.phone, tail)).toEqual(c);
  });
});
