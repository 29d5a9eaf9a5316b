import type { Sql } from '@app/db';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { WorkspaceId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ImportsRepository, IMPORT_ERRORS_KEPT, type ClaimedImport } from './imports.repository';
import { ContactsRepository } from './contacts.repository';
import { IMPORT_CONSENT_PORT, type ImportConsentPort } from './import-consent.port';
import {
  ImportFileError,
  type BatcherOptions,
  type FromParseThread,
  type ParsedBatch,
  type RowError,
  type ToParseThread,
  transferable,
} from './import-batcher';
import { WRITE_PARTS } from './domain/import-row';
import { utf8SafeEnd } from './domain/utf8';

export { ImportFileError } from './import-batcher';

/** Another worker took the import over (our lease lapsed); stop without touching it. */
class LeaseLostError extends Error {}

/** One lane's share of a batch, ready for the database. Part 0 also carries the bad rows. */
interface PartWrite {
  part: number;
  lastRow: number;
  valid: number;
  failed: number;
  unique: number;
  text: Uint8Array;
  /** The errors to store (the import keeps the first IMPORT_ERRORS_KEPT). */
  errors: RowError[];
}

const RETRYABLE_PG = new Set(['40P01', '40001']);
/** Stored chunks handed to the parse thread ahead of what it has parsed. */
const CHUNKS_AHEAD = 2;
/** A batch is also cut at this much COPY text, so wide rows cannot fill the heap. */
const BATCH_CHARS = 4 * 1024 * 1024;
/**
 * The parse thread's heap. Its live data is one batch (≤ BATCH_CHARS of COPY text, plus the
 * parser's record of at most 1 MiB); a cap this size keeps its garbage from growing the worker's
 * memory (measured on 1M rows: same speed, 30-50 MB less peak RSS than parsing on the main thread).
 */
const PARSE_THREAD_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };
/** Built: the compiled thread; under ts-jest/ts-node (tests), the TypeScript source. */
const PARSE_THREAD = join(__dirname, `import-parse.thread${extname(__filename)}`);
const PARSE_THREAD_ARGV =
  extname(__filename) === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [];

/** Messages of the parse thread, awaited one at a time. */
class Inbox {
  private readonly queue: FromParseThread[] = [];
  private waiter: ((m: FromParseThread) => void) | null = null;

  push(m: FromParseThread): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(m);
    } else {
      this.queue.push(m);
    }
  }

  next(): Promise<FromParseThread> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => (this.waiter = resolve));
  }
}

/**
 * Runs one CSV import. The stored upload streams from Postgres, is checked to be UTF-8 text and
 * goes to a parse thread (ImportBatcher: csv-parse, row validation, in-file duplicates, COPY
 * text), which hands back batches while the database writes the ones before. Contacts are split
 * by phone into WRITE_PARTS lanes, each a stream of transactions on its own connection: contacts
 * upserted set-based from a COPY-filled staging table, memberships, opt-ins, errors (lane 0) and
 * the lane's progress, each batch atomically. A restart re-reads the upload and skips, per lane,
 * the rows that lane committed, so nothing is lost or doubled.
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
    const options: BatcherOptions = {
      delimiter: imp.options.delimiter,
      mapping: imp.options.mapping,
      defaultCountry:
        imp.options.defaultCountry ?? (await this.contacts.defaultCountry(imp.workspaceId)),
      checkpointRow: imp.checkpointRow,
      partCheckpoints: imp.partCheckpoints,
      batchRows: this.config.imports.batchRows,
      batchChars: BATCH_CHARS,
    };
    const clients: PoolClient[] = [];
    let broken = false;
    const inbox = new Inbox();
    const thread = new Worker(PARSE_THREAD, {
      workerData: options,
      resourceLimits: PARSE_THREAD_LIMITS,
      execArgv: PARSE_THREAD_ARGV,
    });
    thread.on('message', (m: FromParseThread) => inbox.push(m));
    thread.on('error', (e) => inbox.push({ type: 'failed', fileError: false, message: e.message }));
    thread.on('exit', (code) =>
      inbox.push({ type: 'failed', fileError: false, message: `parse thread exited (${code})` }),
    );
    const post = (m: ToParseThread, transfer: ArrayBuffer[] = []): void =>
      thread.postMessage(m, transfer);
    // Each part is a lane: its writes run one after another on its own connection (so a phone
    // repeated across batches is written in file order), independently of the other lane.
    const lanes: Array<{ client: PoolClient; queue: Array<Promise<void>> }> = [];
    let laneError: Error | null = null;
    const drain = async (): Promise<void> => {
      await Promise.all(lanes.flatMap((l) => l.queue));
    };
    try {
      for (let i = 0; i < WRITE_PARTS; i++) {
        const client = await this.getPool().connect();
        clients.push(client);
        lanes.push({ client, queue: [] });
        await client.query(
          `CREATE TEMP TABLE IF NOT EXISTS import_stage (
             id uuid NOT NULL, phone text NOT NULL, locale text, timezone text, attributes jsonb NOT NULL
           ) ON COMMIT DELETE ROWS`,
        );
      }
      const ctx = { imp, token };
      let errorsStored = Math.min(imp.failed, IMPORT_ERRORS_KEPT);
      const submit = async (batch: ParsedBatch): Promise<void> => {
        if (laneError) {
          throw laneError;
        }
        if (leaseLost()) {
          throw new LeaseLostError();
        }
        // Reserved before the lanes run, so they never store more than the cap between them.
        const kept = batch.errors.slice(0, Math.max(0, IMPORT_ERRORS_KEPT - errorsStored));
        errorsStored += kept.length;
        for (const p of batch.parts) {
          const lane = lanes[p.part] as (typeof lanes)[number];
          const write: PartWrite = {
            part: p.part,
            lastRow: batch.lastRow,
            valid: p.valid,
            failed: p.part === 0 ? batch.errors.length : 0,
            unique: p.unique,
            text: p.text,
            errors: p.part === 0 ? kept : [],
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
        // Every lane got its share at once; then at most two writes stay queued per lane (the
        // running one and the next): bounded memory, and the parse thread waits here when the
        // database is the slower side.
        for (const lane of lanes) {
          while (lane.queue.length > 2) {
            await lane.queue.shift();
          }
        }
        if (laneError) {
          throw laneError as Error;
        }
      };

      const chunks = this.bytes(imp.id);
      let ahead = 0;
      let ended = false;
      const feed = async (): Promise<void> => {
        while (!ended && ahead < CHUNKS_AHEAD) {
          const next = await chunks.next();
          ahead++;
          if (next.done) {
            ended = true;
            post({ type: 'end' });
          } else {
            const own = transferable(next.value); // moved to the thread, not copied
            post({ type: 'chunk', bytes: own }, [own.buffer as ArrayBuffer]);
          }
        }
      };
      try {
        await feed();
        for (;;) {
          const m = await inbox.next();
          if (m.type === 'batch') {
            await submit(m.batch);
          } else if (m.type === 'consumed') {
            ahead--;
            await feed();
          } else if (m.type === 'done') {
            break;
          } else {
            throw m.fileError ? new ImportFileError(m.message) : new Error(m.message);
          }
        }
      } finally {
        // Let the lanes settle before their connections go back to the pool.
        await drain();
      }
      if (laneError) {
        throw laneError as Error;
      }
    } catch (e) {
      broken = !(e instanceof ImportFileError) && !(e instanceof LeaseLostError);
      throw e;
    } finally {
      thread.removeAllListeners('exit');
      await thread.terminate();
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
        Readable.from([Buffer.from(w.text.buffer, w.text.byteOffset, w.text.byteLength)]),
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
        // The import's own connection, inside its batch transaction, as the one SQL handle type.
        const sql: Sql = {
          query: async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params)).rows as T,
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
