import {
  ImportBatcher,
  ImportFileError,
  type BatcherOptions,
  type ParsedBatch,
} from './import-batcher';
import { writePartOf } from './domain/import-row';

const decoder = new TextDecoder();

/** The COPY lines of a batch part as [phone, locale, timezone, attributes] (ids checked apart). */
function lines(batch: ParsedBatch, part: number): string[][] {
  const p = batch.parts.find((x) => x.part === part);
  if (!p) {
    return [];
  }
  return decoder
    .decode(p.text)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, ...rest] = line.split('\t');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      return rest;
    });
}

async function run(
  csv: string | Buffer[],
  o: Partial<BatcherOptions> = {},
): Promise<ParsedBatch[]> {
  const batches: ParsedBatch[] = [];
  const b = new ImportBatcher(
    {
      delimiter: null,
      mapping: null,
      defaultCountry: null,
      checkpointRow: 0,
      partCheckpoints: [0, 0],
      batchRows: 1000,
      batchChars: 1 << 20,
      ...o,
    },
    (batch) => batches.push(batch),
  );
  for (const chunk of typeof csv === 'string' ? [Buffer.from(csv)] : csv) {
    await b.write(chunk);
  }
  await b.end();
  return batches;
}

const EVEN = '+12125550100'; // written by part 0
const ODD = '+12125550101'; // written by part 1

describe('ImportBatcher', () => {
  it('splits contacts by phone into the write parts, bad rows in part 0', async () => {
    expect([writePartOf(EVEN), writePartOf(ODD)]).toEqual([0, 1]);
    const [batch, more] = await run(`phone,name\n${EVEN},a\nbad,b\n${ODD},c\n`);
    expect(more).toBeUndefined();
    expect(batch?.lastRow).toBe(4);
    expect(batch?.errors).toEqual([
      { row: 3, column: 'phone', reason: 'phone contains characters that are not digits' },
    ]);
    expect(batch?.parts.map((p) => [p.part, p.valid, p.unique])).toEqual([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    expect(lines(batch as ParsedBatch, 0)).toEqual([[EVEN, '\\N', '\\N', '{"name":"a"}']]);
    expect(lines(batch as ParsedBatch, 1)).toEqual([[ODD, '\\N', '\\N', '{"name":"c"}']]);
  });

  it('merges a phone repeated within a batch, later non-empty values winning', async () => {
    const [batch] = await run(`phone,a,b\n${EVEN},1,x\n${EVEN},2,\n`);
    expect(batch?.parts[0]).toMatchObject({ valid: 2, unique: 1 });
    expect(lines(batch as ParsedBatch, 0)).toEqual([[EVEN, '\\N', '\\N', '{"a":"2","b":"x"}']]);
  });

  it('cuts batches by rows and by the size of their COPY text', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `+1212555${1000 + i},${'v'.repeat(100)}`);
    const csv = `phone,note\n${rows.join('\n')}\n`;
    expect((await run(csv, { batchRows: 3 })).map((b) => b.lastRow)).toEqual([4, 7, 8]);
    // each line is about 170 characters: two lines fill 300
    expect((await run(csv, { batchChars: 300 })).map((b) => b.lastRow)).toEqual([3, 5, 7, 8]);
  });

  it('reads records split across writes, with quotes, newlines and a BOM', async () => {
    const text = `\uFEFFphone;note\n${EVEN};"two\nlines; one field"\n${ODD};x\n`;
    const bytes = Buffer.from(text);
    const chunks = [bytes.subarray(0, 20), bytes.subarray(20, 31), bytes.subarray(31)];
    const [batch] = await run(chunks);
    expect(lines(batch as ParsedBatch, 0)).toEqual([
      [EVEN, '\\N', '\\N', '{"note":"two\\\\nlines; one field"}'],
    ]);
    expect(batch?.lastRow).toBe(3);
  });

  it('after a restart skips what each part committed, bad rows with part 0', async () => {
    const csv = [
      'phone,n',
      `${EVEN},1`, // row 2
      `${ODD},2`, // row 3
      'bad,3', // row 4
      '+12125550102,4', // row 5, part 0
      '+12125550103,5', // row 6, part 1
      'bad,6', // row 7
    ].join('\n');
    // part 0 committed up to row 5, part 1 up to row 3
    const [batch] = await run(csv, { checkpointRow: 3, partCheckpoints: [5, 3] });
    expect(batch?.errors.map((e) => e.row)).toEqual([7]);
    expect(batch?.parts.map((p) => [p.part, p.valid])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(lines(batch as ParsedBatch, 1).map((l) => l[0])).toEqual(['+12125550103']);
    // a batch that ends where a part's checkpoint is has nothing for that part
    const [done] = await run(csv, { checkpointRow: 3, partCheckpoints: [7, 3], batchRows: 4 });
    expect(done?.parts.map((p) => p.part)).toEqual([1]);
  });

  it('fails the file at a record too long to find the next one after, instead of dropping the rest', async () => {
    const csv = `phone,note\n${EVEN},a\n${ODD},"${'x'.repeat(1_100_000)}"\n${EVEN},c\n`;
    await expect(run(csv)).rejects.toThrow(
      new ImportFileError(
        'row 3 is longer than 1048576 characters (an unclosed quote?); the file cannot be read past it',
      ),
    );
  });

  it('fails the file as a whole for an empty file, a missing phone column or a bad header', async () => {
    await expect(run(' \n\n')).rejects.toThrow(new ImportFileError('the file is empty'));
    await expect(run('name,city\nx,y\n')).rejects.toThrow(ImportFileError);
    await expect(run('name,city\nx,y\n')).rejects.toThrow(/phone/);
  });
});
