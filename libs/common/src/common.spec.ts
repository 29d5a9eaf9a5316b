import { decodeCursor, encodeCursor, toPage } from './cursor';
import { maskPhone } from './mask';
import { SecretBox } from './secret-box';
import { FakeClock } from './clock';

const KEY = 'a'.repeat(64);

describe('SecretBox', () => {
  it('opens what it sealed', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('EAAG-token');
    expect(sealed).not.toContain('EAAG');
    expect(box.open(sealed)).toBe('EAAG-token');
  });

  it('uses a fresh IV every time', () => {
    const box = new SecretBox(KEY);
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a tampered ciphertext', () => {
    const box = new SecretBox(KEY);
    const parts = box.seal('secret').split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('refuses another key', () => {
    const sealed = new SecretBox(KEY).seal('secret');
    expect(() => new SecretBox('b'.repeat(64)).open(sealed)).toThrow();
  });

  it('rejects a short key', () => {
    expect(() => new SecretBox('abcd')).toThrow(/64-character/);
  });
});

describe('cursor', () => {
  const ID = '0b9d6c1e-4a52-4f0e-9d0a-1c2b3a4d5e6f';

  it('round-trips', () => {
    const c = { createdAt: new Date('2030-01-02T03:04:05.678Z'), id: ID };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor(encodeCursor({ ...c, id: '42' }), (id) => /^\d+$/.test(id)).id).toBe('42');
  });

  it('rejects garbage, and forged ids or dates the query could not take', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(/cursor/);
    const forged = (text: string) => Buffer.from(text).toString('base64url');
    expect(() => decodeCursor(forged(`2030-01-01T00:00:00Z|x'; DROP TABLE t; --`))).toThrow(
      /cursor/,
    );
    expect(() => decodeCursor(forged(`-100000-01-01T00:00:00Z|${ID}`))).toThrow(/cursor/);
    expect(() => decodeCursor(forged(`+200000-01-01T00:00:00Z|${ID}`))).toThrow(/cursor/);
  });

  it('says there is a next page only when an extra row came back', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `${ID.slice(0, -1)}${n}`, createdAt: new Date(n) }));
    expect(toPage(rows, 3).nextCursor).toBeNull();
    const page = toPage(rows, 2);
    expect(page.data).toHaveLength(2);
    expect(decodeCursor(page.nextCursor as string).id).toBe(rows[1]?.id);
  });
});

describe('maskPhone', () => {
  it('keeps only the country prefix and last four digits', () => {
    expect(maskPhone('+5511912345678')).toBe('+55*******5678');
  });
});

describe('FakeClock', () => {
  it('moves only when advanced', () => {
    const clock = new FakeClock(1000);
    expect(clock.now().getTime()).toBe(1000);
    clock.advance(500);
    expect(clock.nowMs()).toBe(1500);
  });
});
