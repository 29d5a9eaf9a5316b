import { inputProblems, MAX_JSON_DEPTH } from './input-policy';

describe('the input policy at the edge', () => {
  it('refuses NUL in any text or key, with its path', () => {
    expect(inputProblems({ name: 'a\u0000b' }, 'body')).toEqual([
      { field: 'body.name', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
    expect(inputProblems({ events: [{ x: 1 }, { tags: ['ok', '\u0000'] }] }, 'body')).toEqual([
      { field: 'body.events[1].tags[1]', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
    expect(inputProblems({ ['k\u0000']: 1 }, 'body')[0]?.problems).toEqual([
      'a key may not contain NUL (\\u0000)',
    ]);
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
});
