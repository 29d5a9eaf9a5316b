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
import { mergeRows, readRow, type ContactRow } from './domain/import-row';
import { isBlank, utf8SafeEnd } from './domain/utf8';
import { timeOrderedId } from './domain/time-ordered-id';
import { isUtf8 } from 'node:buffer';

/** A problem with the file as a whole: the import fails with this message. */
export class ImportFileError extends Error {}

/** Another worker took the import over (our lease lapsed); stop without touching it. */
class LeaseLostError extends Error {}

interface Batch {
  rows: number;
  lastRow: number;
  valid: number;
  contacts: Map<string, ContactRow>;
  errors: Array<{ row: number; column: string | null; reason: string }>;
}

/** A batch ready for the database: the parsed objects are dropped, only the COPY text stays. */
interface PreparedBatch {
  rows: number;
  lastRow: number;
  valid: number;
  unique: number;
  copyText: string;
  errors: Batch['errors'];
}

function prepare(b: Batch): PreparedBatch {
  return {
    rows: b.rows,
    lastRow: b.lastRow,
    valid: b.valid,
    unique: b.contacts.size,
    copyText: toCopyText(b.contacts.values()),
    errors: b.errors,
  };
}

function newBatch(lastRow: number): Batch {
  return { rows: 0, lastRow, valid: 0, contacts: new Map(), errors: [] };
}

/** Bytes fed to the parser at a time; small enough to cut batches close to their size. */
const SLICE_BYTES = 64 * 1024;
const MAX_RECORD_CHARS = 1024 * 1024;
const RETRYABLE_PG = new Set(['40P01', '40001']);

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** COPY text-format escaping; most values need none, so test once before rewriting (hot path). */
function copyEscape(s: string): string {
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => COPY_ESCAPES[ch] as string) : s;
}

function toCopyText(contacts: Iterable<ContactRow>): string {
  const lines: string[] = [];
  const now = Date.now();
  for (const c of contacts) {
    lines.push(
      `${timeOrderedId(now)}\t${c.phone}\t${c.locale === null ? '\\N' : copyEscape(c.locale)}\t${
        c.timezone === null ? '\\N' : copyEscape(c.timezone)
      }\t${copyEscape(JSON.stringify(c.attributes))}\n`,
    );
  }
  return lines.join('');
}

/**
 * Runs one CSV import: streams the stored upload from Postgres through csv-parse, validates each
 * row (pure domain), and commits every batch — contacts upserted set-based from a COPY-filled
 * staging table, memberships, opt-ins, errors and the checkpoint — in one transaction. A restart
 * re-reads the upload and skips the rows up to the checkpoint, so nothing is lost or doubled.
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
      max: 4,
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
    const client = await this.getPool().connect();
    let broken = false;
    try {
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS import_stage (
           id uuid NOT NULL, phone text NOT NULL, locale text, timezone text, attributes jsonb NOT NULL
         ) ON COMMIT DELETE ROWS`,
      );
      const ctx = {
        imp,
        token,
        client,
        errorsStored: Math.min(imp.failed, IMPORT_ERRORS_KEPT),
      };
      const inflight: { pending: Promise<unknown> | null } = { pending: null };
      const waitPending = async (): Promise<void> => {
        if (inflight.pending) {
          const err = await inflight.pending;
          inflight.pending = null;
          if (err) {
            throw err as Error;
          }
        }
      };
      const startFlush = async (batch: Batch): Promise<void> => {
        await waitPending();
        if (leaseLost()) {
          throw new LeaseLostError();
        }
        // Runs while the next batch is parsed; its error surfaces at the next wait.
        inflight.pending = this.flush(ctx, prepare(batch)).then(
          () => null,
          (e: unknown) => e,
        );
      };

      let plan: ColumnPlan | null = null;
      let rowNo = 0;
      let lastSkipLine = -1;
      let batch = newBatch(imp.checkpointRow);
      let fatal: Error | null = null;
      const batchRows = this.config.imports.batchRows;

      const onData = (row: number, record: string[]): void => {
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
        if (!r.ok) {
          batch.errors.push({ row, column: r.column ?? null, reason: r.reason });
          return;
        }
        batch.valid++;
        const seen = batch.contacts.get(r.row.phone);
        batch.contacts.set(r.row.phone, seen ? mergeRows(seen, r.row) : r.row);
      };
      const onBadRecord = (err: CsvError): void => {
        const line = Number((err as unknown as { lines?: number }).lines ?? -1);
        if (line === lastSkipLine) {
          return; // a second complaint about the same record
        }
        lastSkipLine = line;
        rowNo++;
        if (rowNo === 1) {
          fatal = new ImportFileError(`the header row cannot be read: ${err.message}`);
          return;
        }
        if (rowNo > imp.checkpointRow) {
          batch.rows++;
          batch.lastRow = rowNo;
          batch.errors.push({ row: rowNo, column: null, reason: `malformed CSV: ${err.message}` });
        }
      };

      let parser: ReturnType<typeof parse> | null = null;
      const makeParser = (firstText: string): ReturnType<typeof parse> => {
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
          on_record: (record: string[]) => {
            if (!fatal) {
              rowNo++;
              onData(rowNo, record);
            }
            return null; // consumed here, in file order; nothing is buffered downstream
          },
        };
        const p = parse(options);
        p.resume();
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
          if (batch.rows >= batchRows) {
            const full = batch;
            batch = newBatch(full.lastRow);
            await startFlush(full);
          } else {
            await yieldToLoop();
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
          parser ??= makeParser(bytes.subarray(0, 64 * 1024).toString('utf8'));
          await feed(parser, bytes);
        }
        if (parser) {
          const p = parser;
          await new Promise<void>((resolve, reject) => {
            p.once('error', reject);
            p.end(() => resolve());
          });
        }
      } catch (e) {
        // Let an in-flight batch settle before the connection goes back to the pool.
        if (inflight.pending) {
          await inflight.pending;
          inflight.pending = null;
        }
        if (e instanceof ImportFileError || e instanceof LeaseLostError) {
          throw e;
        }
        const code = (e as { code?: string }).code;
        if (typeof code === 'string' && code.startsWith('CSV_')) {
          throw new ImportFileError(`the file is not valid CSV: ${(e as Error).message}`);
        }
        throw e;
      }
      await waitPending();
      if (fatal) {
        throw fatal as Error;
      }
      if (!sawText || rowNo === 0) {
        throw new ImportFileError('the file is empty');
      }
      if (batch.rows > 0) {
        await startFlush(batch);
        await waitPending();
      }
    } catch (e) {
      broken = !(e instanceof ImportFileError) && !(e instanceof LeaseLostError);
      throw e;
    } finally {
      client.release(broken);
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
    ctx: { imp: ClaimedImport; token: string; client: PoolClient; errorsStored: number },
    batch: PreparedBatch,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitBatch(ctx, batch);
        return;
      } catch (e) {
        await ctx.client.query('ROLLBACK').catch(() => undefined);
        const code = (e as { code?: string }).code;
        if (attempt < 5 && code && RETRYABLE_PG.has(code)) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        throw e;
      }
    }
  }

  private async commitBatch(
    ctx: { imp: ClaimedImport; token: string; client: PoolClient; errorsStored: number },
    batch: PreparedBatch,
  ): Promise<void> {
    const { imp, client } = ctx;
    const ws: WorkspaceId = imp.workspaceId;
    await client.query('BEGIN');
    // Safe here: the checkpoint commits with the rows, so a Postgres crash that loses the last
    // commits also loses their checkpoint, and the import resumes from before them.
    await client.query('SET LOCAL synchronous_commit = off');
    const own = await client.query(
      `SELECT 1 FROM imports WHERE id = $1 AND lease_token = $2 AND status = 'running' FOR UPDATE`,
      [imp.id, ctx.token],
    );
    if (own.rowCount === 0) {
      throw new LeaseLostError();
    }
    let created = 0;
    let updated = 0;
    if (batch.unique > 0) {
      await pipeline(
        Readable.from([batch.copyText]),
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
      if (created + updated < batch.unique) {
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
    const room = Math.max(0, IMPORT_ERRORS_KEPT - ctx.errorsStored);
    const kept = batch.errors.slice(0, room);
    if (kept.length > 0) {
      await client.query(
        `INSERT INTO import_errors (import_id, row, column_name, reason)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [imp.id, kept.map((e) => e.row), kept.map((e) => e.column), kept.map((e) => e.reason)],
      );
    }
    await client.query(
      `UPDATE imports SET total_rows = total_rows + $2, created = created + $3, updated = updated + $4,
              skipped = skipped + $5, failed = failed + $6, checkpoint_row = $7, heartbeat_at = now()
        WHERE id = $1`,
      [
        imp.id,
        batch.rows,
        created,
        updated,
        batch.valid - created - updated,
        batch.errors.length,
        batch.lastRow,
      ],
    );
    await client.query('COMMIT');
    ctx.errorsStored += kept.length;
  }
}
