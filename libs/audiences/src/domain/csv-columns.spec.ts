import {
  detectDelimiter,
  firstLine,
  mappingProblems,
  parseDelimiter,
  planColumns,
} from './csv-columns';
import { mergeRows, readRow } from './import-row';

describe('detectDelimiter', () => {
  it('picks the separator that splits the header most often, outside quotes', () => {
    expect(detectDelimiter('phone;name;city')).toBe(';');
    expect(detectDelimiter('phone\tname')).toBe('\t');
    expect(detectDelimiter('phone|name|"a,b,c"')).toBe('|');
    expect(detectDelimiter('phone')).toBe(',');
  });

  it('reads the first line up to a newline that is not quoted', () => {
    expect(firstLine('"a\nb",c\nd')).toBe('"a\nb",c');
    expect(firstLine('a,b\r\nc')).toBe('a,b');
  });

  it('accepts tab spelled as tab or \\t', () => {
    expect(parseDelimiter('tab')).toBe('\t');
    expect(parseDelimiter('\\t')).toBe('\t');
    expect(parseDelimiter('x')).toBeNull();
  });
});

describe('planColumns', () => {
  it('maps phone, locale and timezone by name and the rest to attributes', () => {
    const r = planColumns([' Phone ', 'Locale', 'timezone', 'First name', ''], null);
    expect(r).toEqual({
      ok: true,
      plan: expect.objectContaining({
        phone: 0,
        locale: 1,
        timezone: 2,
        attributes: [{ index: 3, name: 'First name' }],
        width: 5,
      }),
    });
  });

  it('follows an explicit mapping, and a mapped phone turns a column named phone into an attribute', () => {
    const r = planColumns(['Mobile', 'phone', 'Secret'], { Mobile: 'phone', Secret: null });
    expect(r.ok && r.plan.phone).toBe(0);
    expect(r.ok && r.plan.attributes).toEqual([{ index: 1, name: 'phone' }]);
  });

  it('fails without a phone column, naming the header', () => {
    const r = planColumns(['name', 'email'], null);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/no phone column: the header has "name", "email"/);
  });

  it('fails on duplicate headers and on mappings of absent columns', () => {
    expect(planColumns(['phone', 'a', 'a'], null).ok).toBe(false);
    expect(planColumns(['phone'], { Mobile: 'phone' }).ok).toBe(false);
  });

  it('validates a mapping before any file is read', () => {
    expect(mappingProblems({ a: 'phone', b: 'attributes.x' })).toEqual([]);
    expect(mappingProblems([])).toHaveLength(1);
    expect(mappingProblems({ a: 'email' })).toHaveLength(1);
    expect(mappingProblems({ a: 'phone', b: 'phone' })).toEqual([
      'columns "a" and "b" are both mapped to phone',
    ]);
  });
});

describe('readRow', () => {
  const plan = (header: string[]) => {
    const r = planColumns(header, null);
    if (!r.ok) {
      throw new Error(r.reason);
    }
    return r.plan;
  };

  it('turns a row into a contact and leaves empty cells out', () => {
    expect(
      readRow(
        ['+12125550123', 'pt_BR', '', 'Ana', ''],
        plan(['phone', 'locale', 'timezone', 'a', 'b']),
        null,
      ),
    ).toEqual({
      ok: true,
      row: { phone: '+12125550123', locale: 'pt-BR', timezone: null, attributes: { a: 'Ana' } },
    });
  });

  it('reports the column and reason of a bad row', () => {
    const p = plan(['phone', 'timezone', 'note']);
    expect(readRow(['+12125550123', 'x'], p, null)).toEqual({
      ok: false,
      reason: 'expected 3 columns, found 2',
    });
    expect(readRow(['12125550123', '', ''], p, null)).toMatchObject({ ok: false, column: 'phone' });
    expect(readRow(['+12125550123', 'Mars/Base', ''], p, null)).toMatchObject({
      ok: false,
      column: 'timezone',
    });
    expect(readRow(['+12125550123', '', 'x'.repeat(1001)], p, null)).toEqual({
      ok: false,
      column: 'note',
      reason: 'value is longer than 1000 characters',
    });
  });

  it('merges duplicates: later non-empty values win, attributes combine', () => {
    const a = { phone: '+1', locale: 'en', timezone: null, attributes: { x: '1', y: '1' } };
    const b = { phone: '+1', locale: null, timezone: 'UTC', attributes: { y: '2' } };
    expect(mergeRows(a, b)).toEqual({
      phone: '+1',
      locale: 'en',
      timezone: 'UTC',
      attributes: { x: '1', y: '2' },
    });
  });
});
