import { isUuid } from '@app/common';
import { isBlank, utf8SafeEnd } from './utf8';
import { timeOrderedId } from './time-ordered-id';

describe('utf8SafeEnd', () => {
  it('keeps a buffer that ends on a whole character', () => {
    expect(utf8SafeEnd(Buffer.from('abc'))).toBe(3);
    expect(utf8SafeEnd(Buffer.from('ação'))).toBe(Buffer.byteLength('ação'));
    expect(utf8SafeEnd(Buffer.from('😀'))).toBe(4);
  });

  it('cuts before a character split across chunks', () => {
    const b = Buffer.from('aé😀');
    expect(utf8SafeEnd(b.subarray(0, 2))).toBe(1); // half of é
    expect(utf8SafeEnd(b.subarray(0, 5))).toBe(3); // 2 of the 4 emoji bytes
    expect(utf8SafeEnd(b.subarray(0, 6))).toBe(3);
  });
});

describe('isBlank', () => {
  it('sees only whitespace and a BOM as blank', () => {
    expect(isBlank(Buffer.from('\ufeff \n\r\n\t'))).toBe(true);
    expect(isBlank(Buffer.from('\n phone'))).toBe(false);
  });
});

describe('timeOrderedId', () => {
  it('makes version-7 UUIDs that sort by time', () => {
    const a = timeOrderedId(1_000);
    const b = timeOrderedId(2_000);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('7');
    expect('89ab').toContain(a[19]);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => timeOrderedId(5)))).toHaveProperty(
      'size',
      1000,
    );
  });
});
