import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { createHash } from 'node:crypto';
import { Database } from '@app/db';
import type { WorkspaceId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { IdempotencyStore, hashRequest } from '@app/idempotency';
import { ImportsRepository } from './imports.repository';
import { AudiencesRepository } from './audiences.repository';
import {
  AudienceNotFoundError,
  ImportNotFoundError,
  ImportTooLargeError,
  ImportUploadInvalidError,
  InvalidImportOptionsError,
} from './audiences.errors';
import type { ImportAccepted, ImportOptions, ImportRecord } from './audiences.types';
import {
  AUDIENCE_IMPORT_QUEUE,
  IMPORT_JOB_ATTEMPTS,
  RUN_IMPORT_JOB,
  importJobId,
  type RunImportData,
} from './audiences.queue';
import { mappingProblems, parseDelimiter, type ImportMapping } from './domain/csv-columns';
import { isCountryCode } from './domain/phone';

/** Size of the bytea chunks an upload is stored in: large enough for few round trips. */
const CHUNK_BYTES = 1024 * 1024;

export interface RawImportQuery {
  mapping?: string;
  delimiter?: string;
  defaultCountry?: string;
  optInSource?: string;
}

@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    private readonly imports: ImportsRepository,
    private readonly audiences: AudiencesRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly db: Database,
    @InjectQueue(AUDIENCE_IMPORT_QUEUE) private readonly queue: Queue<RunImportData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the query options before a single byte of the upload is read. */
  parseOptions(q: RawImportQuery): ImportOptions {
    const problems: string[] = [];
    let mapping: ImportMapping | null = null;
    if (q.mapping !== undefined) {
      try {
        const parsed: unknown = JSON.parse(q.mapping);
        const p = mappingProblems(parsed);
        problems.push(...p);
        if (p.length === 0) {
          mapping = parsed as ImportMapping;
        }
      } catch {
        problems.push('mapping is not valid JSON');
      }
    }
    const delimiter = q.delimiter === undefined ? null : parseDelimiter(q.delimiter);
    if (q.delimiter !== undefined && !delimiter) {
      problems.push('delimiter must be one of , ; | or tab (\\t)');
    }
    const defaultCountry = q.defaultCountry?.toUpperCase() ?? null;
    if (defaultCountry !== null && !isCountryCode(defaultCountry)) {
      problems.push('defaultCountry must be an ISO 3166 alpha-2 code like BR');
    }
    const optInSource = q.optInSource?.trim() ?? null;
    if (optInSource !== null && (optInSource.length === 0 || optInSource.length > 200)) {
      problems.push('optInSource must be 1 to 200 characters');
    }
    if (problems.length) {
      throw new InvalidImportOptionsError(problems);
    }
    return { mapping, delimiter, defaultCountry, optInSource };
  }

  /**
   * Stores the upload durably in bounded memory (1 MiB chunks, read with back-pressure), then
   * queues it. With an Idempotency-Key, the same key and body return the first answer and the
   * second copy of the upload is dropped.
   */
  async upload(
    ws: WorkspaceId,
    audienceId: string,
    options: ImportOptions,
    body: AsyncIterable<Buffer | string>,
    idempotencyKey?: string,
  ): Promise<ImportAccepted> {
    if (!(await this.audiences.find(ws, audienceId))) {
      throw new AudienceNotFoundError(audienceId);
    }
    const id = await this.imports.createUploading(ws, audienceId, options);
    try {
      const fileHash = createHash('sha256');
      let size = 0;
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const part of body) {
        const buf = typeof part === 'string' ? Buffer.from(part) : part;
        size += buf.length;
        if (size > this.config.imports.maxBytes) {
          throw new ImportTooLargeError(this.config.imports.maxBytes);
        }
        fileHash.update(buf);
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= CHUNK_BYTES) {
          await this.imports.appendChunk(id, seq++, Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) {
        await this.imports.appendChunk(id, seq++, Buffer.concat(pending));
      }
      const sha = fileHash.digest();
      const accepted: ImportAccepted = { id, status: 'queued' };
      if (!idempotencyKey) {
        await this.db.tx((tx) => this.imports.markQueued(tx, id, size, sha));
        await this.enqueue(id, 0);
        return accepted;
      }
      const answer = await this.idempotency.once<ImportAccepted>(
        ws,
        `audience-import:${audienceId}`,
        idempotencyKey,
        hashRequest(JSON.stringify(options), sha),
        async (tx) => {
          await this.imports.markQueued(tx, id, size, sha);
          return { status: 202, body: accepted };
        },
      );
      if (answer.replayed) {
        await this.imports.deleteUpload(id);
      } else {
        await this.enqueue(id, 0);
      }
      return answer.body;
    } catch (e) {
      await this.imports.deleteUpload(id).catch(() => undefined);
      if (e instanceof Error && 'code' in e && (e as { code?: unknown }).code === 'ECONNRESET') {
        throw new ImportUploadInvalidError('the upload was interrupted before it ended');
      }
      throw e;
    }
  }

  async get(ws: WorkspaceId, id: string): Promise<ImportRecord> {
    const imp = await this.imports.find(ws, id);
    if (!imp) {
      throw new ImportNotFoundError(id);
    }
    return imp;
  }

  /**
   * Re-enqueues imports whose worker died (lease lapsed) or whose job was lost, and drops uploads
   * abandoned half-way. Safe on every worker at once: the claim in SQL decides who runs.
   */
  async recoverStale(): Promise<number> {
    const stale = await this.imports.takeStale(this.config.imports.leaseMs);
    for (const s of stale) {
      await this.enqueue(s.id, s.restarts);
    }
    if (stale.length) {
      this.logger.warn({ message: 'restarting stale imports', importIds: stale.map((s) => s.id) });
    }
    await this.imports.deleteAbandonedUploads(24 * 3600 * 1000);
    return stale.length;
  }

  private async enqueue(importId: string, restarts: number): Promise<void> {
    await this.queue.add(
      RUN_IMPORT_JOB,
      { v: 1, importId },
      {
        jobId: importJobId(importId, restarts),
        attempts: IMPORT_JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 100,
        removeOnFail: 500,
      },
    );
  }
}
