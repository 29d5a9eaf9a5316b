import { isBlank, utf8SafeEnd } from './utf8';

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
