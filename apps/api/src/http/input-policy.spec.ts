import { inputProblems, MAX_JSON_DEPTH, scanJsonText } from './input-policy';

describe('the input policy at the edge', () => {
  it('refuses NUL in any text or key, with its path', () => {
    expect(inputProblems({ name: 'a\u0000b' }, 'body')).toEqual([
      { field: 'name', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
    expect(inputProblems({ events: [{ x: 1 }, { tags: ['ok', '\u0000'] }] }, 'body')).toEqual([
      { field: 'events[1].tags[1]', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
    expect(inputProblems({ ['k\u0000']: 1 }, 'body')[0]?.problems).toEqual([
      'a key may not contain NUL (\\u0000)',
    ]);
    expect(inputProblems('\u0000', 'query')).toEqual([
      { field: 'query', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
  });

  it('refuses lone surrogates, and keeps pairs', () => {
    expect(inputProblems({ a: 'x\ud800', b: '\udc00y' }, 'body').map((p) => p.field)).toEqual([
      'b',
      'a',
    ]);
    expect(inputProblems({ emoji: '😀 \ud83d\ude00' }, 'body')).toEqual([]);
  });

  it('refuses nesting deeper than the bound, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) {
      deep = { a: deep };
    }
    const [p] = inputProblems(deep, 'body');
    expect(p?.problems).toEqual([`nested deeper than ${MAX_JSON_DEPTH} levels`]);
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) {
      ok = [ok];
    }
    expect(inputProblems(ok, 'body')).toEqual([]);
  });

  it('accepts ordinary bodies', () => {
    expect(
      inputProblems({ name: 'Spring', parameters: { body: ['{{x}}'] }, n: 3, z: null }, 'body'),
    ).toEqual([]);
    expect(inputProblems(undefined, 'body')).toEqual([]);
  });

  describe('the scan of JSON text before it is parsed', () => {
    it('measures nesting outside strings only, and stops past the bound', () => {
      const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      expect(scanJsonText(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH).tooDeep).toBe(false);
      expect(scanJsonText(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH).tooDeep).toBe(true);
      expect(scanJsonText('['.repeat(4_000_000), MAX_JSON_DEPTH).tooDeep).toBe(true);
      const brackets = JSON.stringify({ s: '[[[[{{{{'.repeat(100), t: 'q\\"[[[' });
      expect(scanJsonText(brackets, 2).tooDeep).toBe(false);
    });

    it('flags the escapes that may decode to NUL or a lone surrogate, and only those', () => {
      const suspect = (value: unknown) =>
        scanJsonText(JSON.stringify(value), MAX_JSON_DEPTH).suspectEscape;
      expect(suspect({ a: 'x\u0000' })).toBe(true);
      expect(suspect({ a: '\ud800' })).toBe(true);
      expect(suspect({ a: 'plain \n\t "quoted" \u0001 é 😀' })).toBe(false);
      // An escaped backslash followed by "u0000" is six ordinary characters.
      expect(suspect({ a: '\\u0000' })).toBe(false);
    });
  });
});
