import { parse, type CsvError, type Options as CsvOptions } from 'csv-parse';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  detectDelimiter,
  firstLine,
  planColumns,
  type ColumnPlan,
  type Delimiter,
  type ImportMapping,
} from './domain/csv-columns';
import { fromCopyTail, toCopyTail } from './domain/copy-row';
import { mergeRows, readRow, writePartOf, WRITE_PARTS } from './domain/import-row';
import { timeOrderedIds } from './domain/time-ordered-id';
import { isBlank } from './domain/utf8';

// Runs inside the import's parse thread (import-parse.thread.ts), so it imports only relative
// modules and packages: no Nest, no path aliases.

/** A problem with the file as a whole: the import fails with this message. */
export class ImportFileError extends Error {}

export interface BatcherOptions {
  delimiter: Delimiter | null;
  mapping: ImportMapping | null;
  defaultCountry: string | null;
  /** Rows up to here are committed by every write part. */
  checkpointRow: number;
  /** Per write part, the last row whose effects that part committed. */
  partCheckpoints: number[];
  batchRows: number;
  /** A batch is also cut once its contacts take this many characters of COPY text. */
  batchChars: number;
}

export interface RowError {
  row: number;
  column: string | null;
  reason: string;
}

/** One part's share of a batch: its contacts as COPY text (id, phone, locale, timezone, json). */
export interface PartText {
  part: number;
  /** Rows with a valid phone in this part (in-file duplicates included). */
  valid: number;
  /** Distinct contacts in `text`. */
  unique: number;
  text: Uint8Array;
}

/** A batch as the database writers need it; it crosses the thread boundary (texts transferred). */
export interface ParsedBatch {
  lastRow: number;
  /** The batch's bad rows (written by part 0). */
  errors: RowError[];
  /** Only the parts that still have to write this batch. */
  parts: PartText[];
}

/**
 * The bytes as a view that owns its whole buffer (copied when it does not), so the buffer can move
 * to the other thread without taking unrelated memory along.
 */
export function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

export type ToParseThread = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };
export type FromParseThread =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'consumed' }
  | { type: 'done' }
  | { type: 'failed'; fileError: boolean; message: string };

interface Batch {
  rows: number;
  chars: number;
  lastRow: number;
  valid: number[];
  /** Per write part: phone → the rest of its COPY line (see copy-row). */
  contacts: Array<Map<string, string>>;
  errors: RowError[];
}

function newBatch(lastRow: number): Batch {
  return {
    rows: 0,
    chars: 0,
    lastRow,
    valid: new Array<number>(WRITE_PARTS).fill(0),
    contacts: Array.from({ length: WRITE_PARTS }, () => new Map<string, string>()),
    errors: [],
  };
}

const MAX_RECORD_CHARS = 1024 * 1024;
const encoder = new TextEncoder();

function copyText(contacts: Map<string, string>): Uint8Array {
  const nextId = timeOrderedIds();
  const lines: string[] = [];
  for (const [phone, tail] of contacts) {
    lines.push(`${nextId()}\t${phone}${tail}`);
  }
  return encoder.encode(lines.join(''));
}

/**
 * Turns the bytes of a CSV upload into batches of contacts ready to COPY: csv-parse (header row,
 * delimiter, quotes), row validation and normalisation (pure domain), in-file duplicates merged
 * (later non-empty values win), bad rows numbered. On a restart it skips, per write part, the
 * rows that part already committed. Pure CPU: no I/O, so it runs in its own thread.
 */
export class ImportBatcher {
  private parser: ReturnType<typeof parse> | null = null;
  private plan: ColumnPlan | null = null;
  private rowNo = 0;
  private lastSkipLine = -1;
  private batch: Batch;
  private fatal: Error | null = null;
  private parseError: Error | null = null;

  constructor(
    private readonly o: BatcherOptions,
    private readonly emit: (batch: ParsedBatch) => void,
  ) {
    this.batch = newBatch(o.checkpointRow);
  }

  /** Parses the next bytes of the upload (whole UTF-8 characters); emits the batches they fill. */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.parser) {
      if (isBlank(bytes)) {
        return;
      }
      this.parser = await this.makeParser(
        Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64 * 1024)).toString(
          'utf8',
        ),
      );
    }
    const p = this.parser;
    await this.guard(
      new Promise<void>((resolve, reject) =>
        p.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (e) =>
          e ? reject(e) : resolve(),
        ),
      ),
    );
  }

  /** The end of the upload: emits the last batch, or fails an empty or unreadable file. */
  async end(): Promise<void> {
    const p = this.parser;
    if (p) {
      await this.guard(
        new Promise<void>((resolve, reject) => {
          p.once('end', resolve);
          p.once('error', reject);
          p.end();
        }),
      );
    }
    if (this.rowNo === 0) {
      throw new ImportFileError('the file is empty');
    }
    if (this.batch.rows > 0) {
      this.cut(this.batch.lastRow);
    }
  }

  /** Maps the parser's failures to the import's: a CSV error is a problem with the file. */
  private async guard(work: Promise<void>): Promise<void> {
    try {
      await work;
      if (this.parseError) {
        throw this.parseError;
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (typeof code === 'string' && code.startsWith('CSV_')) {
        throw new ImportFileError(`the file is not valid CSV: ${(e as Error).message}`);
      }
      throw e;
    }
    if (this.fatal) {
      throw this.fatal;
    }
  }

  private async makeParser(firstText: string): Promise<ReturnType<typeof parse>> {
    // on_skip exists at runtime (csv-parse 5) but is missing from its type definitions.
    const options: CsvOptions & { on_skip: (err: CsvError | undefined) => void } = {
      delimiter: this.o.delimiter ?? detectDelimiter(firstLine(firstText.replace(/^\uFEFF/, ''))),
      bom: true,
      encoding: 'utf8',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_RECORD_CHARS,
      on_skip: (err: CsvError | undefined) => {
        if (err) {
          this.onBadRecord(err);
        }
      },
    };
    const p = parse(options);
    p.on('error', (e: Error) => (this.parseError ??= e));
    // A 'data' listener rather than on_record, which builds an info object per record (a third
    // of the parser's time). Once the stream flows, each record is emitted while it is parsed,
    // in order with on_skip; the first write waits for that.
    p.on('data', (record: string[]) => this.onRecord(record));
    await yieldToLoop();
    return p;
  }

  private onRecord(record: string[]): void {
    if (this.fatal) {
      return;
    }
    const row = ++this.rowNo;
    if (row === 1) {
      const planned = planColumns(record, this.o.mapping);
      if (planned.ok) {
        this.plan = planned.plan;
      } else {
        this.fatal = new ImportFileError(planned.reason);
      }
      return;
    }
    if (row <= this.o.checkpointRow || !this.plan) {
      return;
    }
    const batch = this.batch;
    batch.rows++;
    batch.lastRow = row;
    const r = readRow(record, this.plan, this.o.defaultCountry);
    if (r.ok) {
      const { phone } = r.row;
      const part = writePartOf(phone);
      if (row > (this.o.partCheckpoints[part] as number)) {
        (batch.valid[part] as number)++;
        const contacts = batch.contacts[part] as Map<string, string>;
        const seen = contacts.get(phone);
        const tail = toCopyTail(
          seen === undefined ? r.row : mergeRows(fromCopyTail(phone, seen), r.row),
        );
        contacts.set(phone, tail);
        // a line: id (36) and a tab, the phone, the tail
        batch.chars +=
          seen === undefined ? 37 + phone.length + tail.length : tail.length - seen.length;
      }
    } else if (row > (this.o.partCheckpoints[0] as number)) {
      batch.errors.push({ row, column: r.column ?? null, reason: r.reason });
    }
    this.endOfRow(row);
  }

  private onBadRecord(err: CsvError): void {
    const line = Number((err as unknown as { lines?: number }).lines ?? -1);
    if (line === this.lastSkipLine || this.fatal) {
      return; // a second complaint about the same record
    }
    if (this.parser && this.parser.readableLength > 0) {
      // Row numbers assume records arrive as they are parsed (see makeParser).
      this.fatal = new Error('csv-parse buffered records; row numbers would be wrong');
      return;
    }
    this.lastSkipLine = line;
    const row = ++this.rowNo;
    if (row === 1) {
      this.fatal = new ImportFileError(`the header row cannot be read: ${err.message}`);
      return;
    }
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      // csv-parse cannot find the next record after this one: fail rather than drop the rest.
      this.fatal = new ImportFileError(
        `row ${row} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?); ` +
          'the file cannot be read past it',
      );
      return;
    }
    if (row > this.o.checkpointRow) {
      this.batch.rows++;
      this.batch.lastRow = row;
      if (row > (this.o.partCheckpoints[0] as number)) {
        this.batch.errors.push({ row, column: null, reason: `malformed CSV: ${err.message}` });
      }
      this.endOfRow(row);
    }
  }

  private endOfRow(row: number): void {
    if (this.batch.rows >= this.o.batchRows || this.batch.chars >= this.o.batchChars) {
      this.cut(row);
    }
  }

  private cut(row: number): void {
    const b = this.batch;
    this.batch = newBatch(row);
    const parts: PartText[] = [];
    for (let part = 0; part < WRITE_PARTS; part++) {
      if (b.lastRow <= (this.o.partCheckpoints[part] as number)) {
        continue; // this part committed these rows before a restart
      }
      const contacts = b.contacts[part] as Map<string, string>;
      parts.push({
        part,
        valid: b.valid[part] as number,
        unique: contacts.size,
        text: copyText(contacts),
      });
    }
    this.emit({ lastRow: b.lastRow, errors: b.errors, parts });
  }
}
