import { describe, expect, it } from '@jest/globals';
import { countDataRows } from './csv-rows';

describe('CSV rows for the progress bar', () => {
  it('counts the lines after the header, with or without a final newline', async () => {
    expect(
      await countDataRows(new Blob(['phone,firstName\n+5511900000001,Ana\n+5511900000002,Bo\n'])),
    ).toBe(2);
    expect(await countDataRows(new Blob(['phone\n+5511900000001\n+5511900000002']))).toBe(2);
    expect(await countDataRows(new Blob(['phone\n']))).toBe(0);
    expect(await countDataRows(new Blob([]))).toBe(0);
  });

  it('counts across the chunks a large file arrives in', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `+55119${String(i).padStart(8, '0')}`);
    expect(await countDataRows(new Blob([`phone\n${rows.join('\n')}\n`]))).toBe(50_000);
  });
});
