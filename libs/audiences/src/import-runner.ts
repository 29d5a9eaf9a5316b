import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { parse, type CsvError, type Options as CsvOptions } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { WorkspaceId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ImportsRepository, IMPORT_ERRORS_KEPT, type ClaimedImport } from './imports.repository';
import { ContactsRepository } from './contacts.repository';
import { IMPORT_CONSENT_PORT, type ImportConsentPort, type SqlRunner } from './import-consent.port';
import { detectDelimiter, firstLine, planColumns, type ColumnPlan } from './domain/csv-columns';
import { mergeRows, readRow, writePartOf, WRITE_PARTS } from './domain/import-row';
import { fromCopyTail, toCopyTail } from './domain/copy-row';
import { isBlank, utf8SafeEnd } from './domain/utf8';
import { timeOrderedIds } from './domain/time-ordered-id';
import { isUtf8 } from 'node:buffer';

/** A problem with the file as a whole: the import fails with this message. */
export class ImportFileError extends Error {}

/** Another worker took the import over (our lease lapsed); stop without touching it. */
class LeaseLostError extends Error {}

/** Rows gathered between two commits; contacts are already split into their write parts. */
interface Batch {
  rows: number;
  lastRow: number;
  /** Rows with a valid phone, per write part (in-file duplicates included). */
  valid: number[];
  /** Per write part: phone → the rest of its COPY line (see copy-row). */
  contacts: Array<Map<string, string>>;
  errors: Array<{ row: number; column: string | null; reason: string }>;
}

/** One lane's share of a batch, ready for the database. Part 0 also carries the bad rows. */
interface PartWrite {
  part: number;
  lastRow: number;
  valid: number;
  failed: number;
  unique: number;
  copyText: string;
  /** The errors to store (the import keeps the first IMPORT_ERRORS_KEPT). */
  errors: Batch['errors'];
}

function newBatch(lastRow: number): Batch {
  return {
    rows: 0,
    lastRow,
    valid: new Array<number>(WRITE_PARTS).fill(0),
    contacts: Array.from({ length: WRITE_PARTS }, () => new Map<string, string>()),
    errors: [],
  };
}

/** Bytes fed to the parser at a time; small enough to keep the event loop responsive. */
const SLICE_BYTES = 64 * 1024;
const MAX_RECORD_CHARS = 1024 * 1024;
const RETRYABLE_PG = new Set(['40P01', '40001']);

/** COPY text of a part: each contact's tail behind a fresh time-ordered id and its phone. */
function toCopyText(contacts: Map<string, string>): string {
  const lines: string[] = [];
  const nextId = timeOrderedIds();
  for (const [phone, tail] of contacts) {
    lines.push(`${nextId()}\t${phone}${tail}`);
  }
  return lines.join('');
}

/**
 * Runs one CSV import: streams the stored upload from Postgres through csv-parse and validates
 * each row (pure domain), while the database writes what came before. Contacts are split by phone
 * into WRITE_PARTS lanes, each a stream of transactions on its own connection: contacts upserted
 * set-based from a COPY-filled staging table, memberships, opt-ins, errors (lane 0) and the lane's
 * progress, each batch atomically. A restart re-reads the upload and skips, per lane, the rows
 * that lane committed, so nothing is lost or doubled.
 */
@Injectable()
export class ImportRunner implements OnModuleDestroy {
  private readonly logger = new Logger(ImportRunner.name);
  private pool: Pool | null = null;

  constructor(
    private readonly imports: ImportsRepository,
    private readonly contacts: ContactsRepository,
    @Inject(IMPORT_CONSENT_PORT) private readonly consent: ImportConsentPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool?.end();
    this.pool = null;
  }

  /** Claims and runs the import; 'not-claimed' when it is finished or another worker runs it. */
  async run(importId: string): Promise<'completed' | 'failed' | 'not-claimed'> {
    const token = randomUUID();
    const imp = await this.imports.claim(importId, token, this.config.imports.leaseMs);
    if (!imp) {
      return 'not-claimed';
    }
    const log = { importId, workspaceId: imp.workspaceId, resumeAfterRow: imp.checkpointRow };
    this.logger.log({ message: 'import started', ...log });
    let leaseLost = false;
    const timer = setInterval(
      () => {
        this.imports.heartbeat(importId, token).then(
          (ok) => (leaseLost ||= !ok),
          () => undefined,
        );
      },
      Math.max(200, Math.floor(this.config.imports.leaseMs / 3)),
    );
    timer.unref();
    try {
      await this.process(imp, token, () => leaseLost);
      await this.imports.complete(importId, token);
      this.logger.log({ message: 'import completed', ...log });
      return 'completed';
    } catch (e) {
      if (e instanceof ImportFileError) {
        await this.imports.fail(importId, token, e.message);
        this.logger.warn({ message: 'import failed', reason: e.message, ...log });
        return 'failed';
      }
      if (e instanceof LeaseLostError) {
        this.logger.warn({ message: 'import taken over by another worker', ...log });
        return 'not-claimed';
      }
      await this.imports.release(importId, token).catch(() => undefined);
      throw e;
    } finally {
      clearInterval(timer);
    }
  }

  /** After the last retry: the import fails with the reason instead of staying queued forever. */
  async giveUp(importId: string, reason: string): Promise<void> {
    await this.imports.fail(importId, null, reason);
  }

  private getPool(): Pool {
    this.pool ??= new Pool({
      connectionString: this.config.databaseUrl,
      // two imports at once (the processor's concurrency), each writing on WRITE_PARTS connections
      max: 2 * WRITE_PARTS,
      application_name: 'mmlite-import',
    });
    return this.pool;
  }

  private async process(
    imp: ClaimedImport,
    token: string,
    leaseLost: () => boolean,
  ): Promise<void> {
    const defaultCountry =
      imp.options.defaultCountry ?? (await this.contacts.defaultCountry(imp.workspaceId));
    const clients: PoolClient[] = [];
    let broken = false;
    try {
      for (let i = 0; i < WRITE_PARTS; i++) {
        const client = await this.getPool().connect();
        clients.push(client);
        await client.query(
          `CREATE TEMP TABLE IF NOT EXISTS import_stage (
             id uuid NOT NULL, phone text NOT NULL, locale text, timezone text, attributes jsonb NOT NULL
           ) ON COMMIT DELETE ROWS`,
        );
      }
      const ctx = { imp, token };
      const checkpoints = [...imp.partCheckpoints];
      let errorsStored = Math.min(imp.failed, IMPORT_ERRORS_KEPT);
      // Each part is a lane: its writes run one after another on its own connection (so a phone
      // repeated across batches is written in file order), independently of the other lane.
      const lanes = clients.map((client) => ({ client, queue: [] as Array<Promise<void>> }));
      let laneError: Error | null = null;
      const drain = async (): Promise<void> => {
        await Promise.all(lanes.flatMap((l) => l.queue));
      };
      const submit = async (batch: Batch): Promise<void> => {
        if (laneError) {
          throw laneError;
        }
        if (leaseLost()) {
          throw new LeaseLostError();
        }
        // Reserved before the lanes run, so they never store more than the cap between them.
        const kept = batch.errors.slice(0, Math.max(0, IMPORT_ERRORS_KEPT - errorsStored));
        errorsStored += kept.length;
        for (let part = 0; part < WRITE_PARTS; part++) {
          const lane = lanes[part] as (typeof lanes)[number];
          if (batch.lastRow <= (checkpoints[part] as number)) {
            continue; // this part committed these rows before a restart
          }
          // At most one write waiting behind the running one: bounded memory, and the parser
          // waits here when the database is the slower side.
          while (lane.queue.length >= 2) {
            await lane.queue.shift();
          }
          if (laneError) {
            throw laneError as Error;
          }
          const contacts = batch.contacts[part] as Map<string, string>;
          const write: PartWrite = {
            part,
            lastRow: batch.lastRow,
            valid: batch.valid[part] as number,
            failed: part === 0 ? batch.errors.length : 0,
            unique: contacts.size,
            copyText: toCopyText(contacts),
            errors: part === 0 ? kept : [],
          };
          const previous = lane.queue[lane.queue.length - 1] ?? Promise.resolve();
          lane.queue.push(
            previous
              .then(() => (laneError ? undefined : this.flush(ctx, lane.client, write)))
              .catch((e: unknown) => {
                laneError ??= e instanceof Error ? e : new Error(String(e));
              }),
          );
        }
      };

      let plan: ColumnPlan | null = null;
      let rowNo = 0;
      let lastSkipLine = -1;
      let batch = newBatch(imp.checkpointRow);
      const ready: Batch[] = [];
      let fatal: Error | null = null;
      const batchRows = this.config.imports.batchRows;

      const endOfRow = (row: number): void => {
        if (batch.rows >= batchRows) {
          ready.push(batch);
          batch = newBatch(row);
        }
      };
      const onData = (record: string[]): void => {
        if (fatal) {
          return;
        }
        const row = ++rowNo;
        if (row === 1) {
          const planned = planColumns(record, imp.options.mapping);
          if (!planned.ok) {
            fatal = new ImportFileError(planned.reason);
            return;
          }
          plan = planned.plan;
          return;
        }
        if (row <= imp.checkpointRow || !plan) {
          return;
        }
        batch.rows++;
        batch.lastRow = row;
        const r = readRow(record, plan, defaultCountry);
        if (r.ok) {
          const { phone } = r.row;
          const part = writePartOf(phone);
          if (row <= (checkpoints[part] as number)) {
            endOfRow(row);
            return; // committed by its part before a restart
          }
          (batch.valid[part] as number)++;
          const contacts = batch.contacts[part] as Map<string, string>;
          const seen = contacts.get(phone);
          contacts.set(
            phone,
            toCopyTail(seen === undefined ? r.row : mergeRows(fromCopyTail(phone, seen), r.row)),
          );
        } else if (row > (checkpoints[0] as number)) {
          batch.errors.push({ row, column: r.column ?? null, reason: r.reason });
        }
        endOfRow(row);
      };
      const onBadRecord = (err: CsvError): void => {
        const line = Number((err as unknown as { lines?: number }).lines ?? -1);
        if (line === lastSkipLine || fatal) {
          return; // a second complaint about the same record
        }
        if (parser && parser.readableLength > 0) {
          // Row numbers assume records arrive as they are parsed (see makeParser).
          fatal = new Error('csv-parse buffered records; row numbers would be wrong');
          return;
        }
        lastSkipLine = line;
        const row = ++rowNo;
        if (row === 1) {
          fatal = new ImportFileError(`the header row cannot be read: ${err.message}`);
          return;
        }
        if (row > imp.checkpointRow) {
          batch.rows++;
          batch.lastRow = row;
          if (row > (checkpoints[0] as number)) {
            batch.errors.push({ row, column: null, reason: `malformed CSV: ${err.message}` });
          }
          endOfRow(row);
        }
      };

      let parser: ReturnType<typeof parse> | null = null;
      let parseError: Error | null = null;
      const makeParser = async (firstText: string): Promise<ReturnType<typeof parse>> => {
        // on_skip exists at runtime (csv-parse 5) but is missing from its type definitions.
        const options: CsvOptions & { on_skip: (err: CsvError | undefined) => void } = {
          delimiter:
            imp.options.delimiter ?? detectDelimiter(firstLine(firstText.replace(/^\uFEFF/, ''))),
          bom: true,
          encoding: 'utf8',
          relax_column_count: true,
          relax_quotes: true,
          skip_empty_lines: true,
          skip_records_with_error: true,
          max_record_size: MAX_RECORD_CHARS,
          on_skip: (err: CsvError | undefined) => {
            if (err) {
              onBadRecord(err);
            }
          },
        };
        const p = parse(options);
        p.on('error', (e: Error) => (parseError ??= e));
        // A 'data' listener rather than on_record, which builds an info object per record (a
        // third of the parser's time). Once the stream flows, each record is emitted while it is
        // parsed, in order with on_skip; the first write waits for that.
        p.on('data', onData);
        await yieldToLoop();
        return p;
      };
      const feed = async (p: ReturnType<typeof parse>, bytes: Buffer): Promise<void> => {
        for (let i = 0; i < bytes.length; i += SLICE_BYTES) {
          await new Promise<void>((resolve, reject) =>
            p.write(bytes.subarray(i, i + SLICE_BYTES), (e) => (e ? reject(e) : resolve())),
          );
          if (fatal) {
            throw fatal;
          }
          if (ready.length === 0) {
            await yieldToLoop();
          }
          while (ready.length > 0) {
            await submit(ready.shift() as Batch);
          }
        }
      };

      let sawText = false;
      try {
        for await (const bytes of this.bytes(imp.id)) {
          if (!sawText && isBlank(bytes)) {
            continue;
          }
          sawText = true;
          parser ??= await makeParser(bytes.subarray(0, 64 * 1024).toString('utf8'));
          await feed(parser, bytes);
        }
        if (parser) {
          const p = parser;
          await new Promise<void>((resolve, reject) => {
            p.once('end', resolve);
            p.once('error', reject);
            p.end();
          });
        }
        const failedParse = parseError as Error | null; // assigned by the parser's listener
        if (failedParse) {
          throw failedParse;
        }
      } catch (e) {
        // Let the lanes settle before their connections go back to the pool.
        await drain();
        if (e instanceof ImportFileError || e instanceof LeaseLostError) {
          throw e;
        }
        const code = (e as { code?: string }).code;
        if (typeof code === 'string' && code.startsWith('CSV_')) {
          throw new ImportFileError(`the file is not valid CSV: ${(e as Error).message}`);
        }
        throw e;
      }
      if (fatal) {
        await drain();
        throw fatal as Error;
      }
      if (!sawText || rowNo === 0) {
        throw new ImportFileError('the file is empty');
      }
      if (batch.rows > 0) {
        ready.push(batch);
      }
      for (const b of ready.splice(0)) {
        await submit(b);
      }
      await drain();
      if (laneError) {
        throw laneError as Error;
      }
    } catch (e) {
      broken = !(e instanceof ImportFileError) && !(e instanceof LeaseLostError);
      throw e;
    } finally {
      for (const client of clients) {
        client.release(broken);
      }
    }
  }

  /** The stored upload, one chunk at a time, checked to be UTF-8 text (never cut mid-character). */
  private async *bytes(importId: string): AsyncGenerator<Buffer> {
    const count = await this.imports.chunkCount(importId);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    for (let seq = 0; seq < count; seq++) {
      const stored = await this.imports.readChunk(importId, seq);
      if (!stored) {
        throw new ImportFileError(`the stored upload is missing part ${seq}`);
      }
      if (
        seq === 0 &&
        stored.length >= 2 &&
        ((stored[0] === 0xff && stored[1] === 0xfe) || (stored[0] === 0xfe && stored[1] === 0xff))
      ) {
        throw new ImportFileError('the file is UTF-16; save it as UTF-8 CSV');
      }
      const buf = carry.length ? Buffer.concat([carry, stored]) : stored;
      const end = utf8SafeEnd(buf);
      const whole = buf.subarray(0, end);
      carry = Buffer.from(buf.subarray(end));
      if (!isUtf8(whole)) {
        throw new ImportFileError(
          `the file is not UTF-8 text (binary or another encoding) within bytes ${offset}-${offset + whole.length}`,
        );
      }
      if (whole.includes(0)) {
        throw new ImportFileError('the file contains NUL bytes: it is binary, not CSV');
      }
      offset += whole.length;
      yield whole;
    }
    if (carry.length) {
      throw new ImportFileError('the file ends in the middle of a UTF-8 character');
    }
  }

  private async flush(
    ctx: { imp: ClaimedImport; token: string },
    client: PoolClient,
    write: PartWrite,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitPart(ctx, client, write);
        return;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (e as { code?: string }).code;
        if (attempt < 5 && code && RETRYABLE_PG.has(code)) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        throw e;
      }
    }
  }

  private async commitPart(
    ctx: { imp: ClaimedImport; token: string },
    client: PoolClient,
    w: PartWrite,
  ): Promise<void> {
    const { imp } = ctx;
    const ws: WorkspaceId = imp.workspaceId;
    await client.query('BEGIN');
    // Safe here: the progress commits with the rows, so a Postgres crash that loses the last
    // commits also loses their progress, and the import resumes from before them.
    await client.query('SET LOCAL synchronous_commit = off');
    let created = 0;
    let updated = 0;
    if (w.unique > 0) {
      await pipeline(
        Readable.from([w.copyText]),
        client.query(
          copyFrom('COPY import_stage (id, phone, locale, timezone, attributes) FROM STDIN'),
        ),
      );
      // Rows are taken in phone order so concurrent imports lock contacts in the same order. The
      // contacts written here join the audience in the same statement; only contacts the upsert
      // left unchanged (a re-import) need the phone lookup below.
      const counts = await client.query<{ created: string; updated: string }>(
        `WITH up AS (
           INSERT INTO contacts AS c (id, workspace_id, phone, attributes, locale, timezone)
           SELECT id, $1, phone, attributes, locale, timezone FROM import_stage ORDER BY phone
           ON CONFLICT (workspace_id, phone) DO UPDATE SET
             attributes = c.attributes || EXCLUDED.attributes,
             locale = coalesce(EXCLUDED.locale, c.locale),
             timezone = coalesce(EXCLUDED.timezone, c.timezone),
             updated_at = now()
           WHERE c.attributes || EXCLUDED.attributes IS DISTINCT FROM c.attributes
              OR coalesce(EXCLUDED.locale, c.locale) IS DISTINCT FROM c.locale
              OR coalesce(EXCLUDED.timezone, c.timezone) IS DISTINCT FROM c.timezone
           RETURNING c.id, (xmax = 0) AS inserted
         ), joined AS (
           INSERT INTO audience_members (audience_id, contact_id)
           SELECT $2, id FROM up ORDER BY id
           ON CONFLICT DO NOTHING
         )
         SELECT count(*) FILTER (WHERE inserted) AS created,
                count(*) FILTER (WHERE NOT inserted) AS updated FROM up`,
        [ws, imp.audienceId],
      );
      created = Number(counts.rows[0]?.created ?? 0);
      updated = Number(counts.rows[0]?.updated ?? 0);
      if (created + updated < w.unique) {
        await client.query(
          `INSERT INTO audience_members (audience_id, contact_id)
           SELECT $1, c.id FROM contacts c
            WHERE c.workspace_id = $2 AND c.phone = ANY(ARRAY(SELECT phone FROM import_stage))
            ORDER BY c.id
           ON CONFLICT DO NOTHING`,
          [imp.audienceId, ws],
        );
      }
      if (imp.options.optInSource) {
        const ids = await client.query<{ id: string }>(
          `SELECT c.id FROM contacts c
            WHERE c.workspace_id = $1 AND c.phone = ANY(ARRAY(SELECT phone FROM import_stage))`,
          [ws],
        );
        const sql: SqlRunner = {
          query: async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params)).rows as T[],
        };
        await this.consent.recordImportOptIns(sql, ws, {
          importId: imp.id,
          contactIds: ids.rows.map((r) => r.id),
          source: imp.options.optInSource,
          occurredAt: imp.startedAt,
        });
      }
    }
    if (w.errors.length > 0) {
      await client.query(
        `INSERT INTO import_errors (import_id, row, column_name, reason)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [
          imp.id,
          w.errors.map((e) => e.row),
          w.errors.map((e) => e.column),
          w.errors.map((e) => e.reason),
        ],
      );
    }
    // The lease is checked here, last, so the lanes do not queue behind each other on the
    // import's row lock for a whole transaction. checkpoint_row: the least of the parts'.
    const progress = await client.query(
      `UPDATE imports SET total_rows = total_rows + $2, created = created + $3,
              updated = updated + $4, skipped = skipped + $5, failed = failed + $6,
              part_checkpoints[$8] = greatest(part_checkpoints[$8], $7),
              checkpoint_row = (
                SELECT min(CASE WHEN i = $8 THEN greatest(v, $7) ELSE v END)
                  FROM unnest(part_checkpoints) WITH ORDINALITY AS u(v, i)),
              heartbeat_at = now()
        WHERE id = $1 AND lease_token = $9 AND status = 'running'
        RETURNING 1`,
      [
        imp.id,
        w.valid + w.failed,
        created,
        updated,
        w.valid - created - updated,
        w.failed,
        w.lastRow,
        w.part + 1,
        ctx.token,
      ],
    );
    if (progress.rowCount === 0) {
      throw new LeaseLostError();
    }
    await client.query('COMMIT');
  }
}
