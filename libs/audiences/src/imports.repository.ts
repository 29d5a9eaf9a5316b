import { Database, type Sql, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, isUuid, type WorkspaceId } from '@app/common';
import type {
  ImportErrorRecord,
  ImportOptions,
  ImportRecord,
  ImportStatus,
} from './audiences.types';

interface ImportRow {
  id: string;
  workspace_id: string;
  audience_id: string;
  status: ImportStatus | 'uploading';
  options: ImportOptions;
  byte_size: string;
  total_rows: string;
  created: string;
  updated: string;
  skipped: string;
  failed: string;
  checkpoint_row: string;
  part_checkpoints: string[];
  failure_reason: string | null;
  restarts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** What the runner needs to (re)start an import it has claimed. */
export interface ClaimedImport {
  id: string;
  workspaceId: WorkspaceId;
  audienceId: string;
  options: ImportOptions;
  checkpointRow: number;
  /** Per write part, the last row whose effects for that part are committed. */
  partCheckpoints: number[];
  failed: number;
  startedAt: Date;
}

export const IMPORT_ERRORS_KEPT = 1000;

const COLUMNS = `id, workspace_id, audience_id, status, options, byte_size, total_rows, created, updated,
  skipped, failed, checkpoint_row, part_checkpoints, failure_reason, restarts, created_at, started_at, finished_at`;

@Injectable()
export class ImportsRepository {
  constructor(private readonly db: Database) {}

  async createUploading(
    ws: WorkspaceId,
    audienceId: string,
    options: ImportOptions,
  ): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `INSERT INTO imports (workspace_id, audience_id, status, options)
       VALUES ($1, $2, 'uploading', $3) RETURNING id`,
      [ws, audienceId, JSON.stringify(options)],
    );
    return (rows[0] as { id: string }).id;
  }

  async appendChunk(importId: string, seq: number, data: Buffer): Promise<void> {
    await this.db.query(`INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, [
      importId,
      seq,
      data,
    ]);
  }

  /** The stored upload is complete: the import becomes visible and claimable. */
  async markQueued(tx: Sql, importId: string, byteSize: number, sha256: Buffer): Promise<void> {
    await tx.query(
      `UPDATE imports SET status = 'queued', byte_size = $2, sha256 = $3, heartbeat_at = now()
        WHERE id = $1 AND status = 'uploading'`,
      [importId, byteSize, sha256],
    );
  }

  async deleteUpload(importId: string): Promise<void> {
    await this.db.query(`DELETE FROM imports WHERE id = $1 AND status = 'uploading'`, [importId]);
  }

  async find(ws: WorkspaceId, id: string): Promise<ImportRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const rows = await queryRows<ImportRow>(
      this.db,
      `SELECT ${COLUMNS} FROM imports WHERE workspace_id = $1 AND id = $2 AND status <> 'uploading'`,
      [ws, id],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    const errors = await queryRows<{ row: string; column_name: string | null; reason: string }>(
      this.db,
      `SELECT row, column_name, reason FROM import_errors WHERE import_id = $1 ORDER BY row LIMIT $2`,
      [id, IMPORT_ERRORS_KEPT],
    );
    return {
      id: row.id,
      workspaceId: asWorkspaceId(row.workspace_id),
      audienceId: row.audience_id,
      status: row.status === 'uploading' ? 'queued' : row.status,
      byteSize: Number(row.byte_size),
      totalRows: Number(row.total_rows),
      created: Number(row.created),
      updated: Number(row.updated),
      skipped: Number(row.skipped),
      failed: Number(row.failed),
      errors: errors.map((e): ImportErrorRecord => ({
        row: Number(e.row),
        column: e.column_name,
        reason: e.reason,
      })),
      failureReason: row.failure_reason,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }

  /**
   * Takes the import for this worker: a queued one, or a running one whose owner stopped
   * reporting for longer than the lease (crashed worker). Null when done or owned elsewhere.
   */
  async claim(importId: string, token: string, leaseMs: number): Promise<ClaimedImport | null> {
    const rows = await queryRows<ImportRow>(
      this.db,
      `UPDATE imports SET status = 'running', lease_token = $2, heartbeat_at = now(),
              started_at = coalesce(started_at, now())
        WHERE id = $1 AND (status = 'queued' OR (status = 'running'
              AND (heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')))
        RETURNING ${COLUMNS}`,
      [importId, token, leaseMs],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    return {
      id: row.id,
      workspaceId: asWorkspaceId(row.workspace_id),
      audienceId: row.audience_id,
      options: row.options,
      checkpointRow: Number(row.checkpoint_row),
      partCheckpoints: row.part_checkpoints.map(Number),
      failed: Number(row.failed),
      startedAt: row.started_at ?? new Date(),
    };
  }

  async heartbeat(importId: string, token: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `UPDATE imports SET heartbeat_at = now() WHERE id = $1 AND lease_token = $2 AND status = 'running'
       RETURNING id`,
      [importId, token],
    );
    return rows.length > 0;
  }

  async complete(importId: string, token: string): Promise<void> {
    await this.db.tx(async (tx) => {
      const done = await queryRows<{ id: string }>(
        tx,
        `UPDATE imports SET status = 'completed', finished_at = now(), lease_token = NULL
          WHERE id = $1 AND lease_token = $2 AND status = 'running' RETURNING id`,
        [importId, token],
      );
      if (done.length) {
        await tx.query(`DELETE FROM import_chunks WHERE import_id = $1`, [importId]);
      }
    });
  }

  /** Fails the import (whoever holds it when `token` is null) and drops the stored upload. */
  async fail(importId: string, token: string | null, reason: string): Promise<void> {
    await this.db.tx(async (tx) => {
      const done = await queryRows<{ id: string }>(
        tx,
        `UPDATE imports SET status = 'failed', failure_reason = $3, finished_at = now(), lease_token = NULL
          WHERE id = $1 AND status IN ('queued', 'running') AND ($2::uuid IS NULL OR lease_token = $2)
          RETURNING id`,
        [importId, token, reason.slice(0, 2000)],
      );
      if (done.length) {
        await tx.query(`DELETE FROM import_chunks WHERE import_id = $1`, [importId]);
      }
    });
  }

  /** Gives a claimed import back (e.g. the database hiccuped) so a retry can claim it at once. */
  async release(importId: string, token: string): Promise<void> {
    await this.db.query(
      `UPDATE imports SET status = 'queued', lease_token = NULL
        WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [importId, token],
    );
  }

  /**
   * Unfinished imports nobody reported on for a lease: puts them back to queued without an owner
   * (a dead worker's lease token no longer commits anything), bumps `restarts` (a fresh job id)
   * and the heartbeat (so a second scanner does not pick them too); returns them to re-enqueue.
   */
  async takeStale(leaseMs: number): Promise<Array<{ id: string; restarts: number }>> {
    return queryRows<{ id: string; restarts: number }>(
      this.db,
      `UPDATE imports SET restarts = restarts + 1, heartbeat_at = now(), status = 'queued',
              lease_token = NULL
        WHERE status IN ('queued', 'running') AND heartbeat_at < now() - $1 * interval '1 millisecond'
        RETURNING id, restarts`,
      [leaseMs],
    );
  }

  /** Uploads whose request died half-way (API crash) and never became an import. */
  async deleteAbandonedUploads(olderThanMs: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `DELETE FROM imports WHERE status = 'uploading' AND created_at < now() - $1 * interval '1 millisecond'
       RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  }

  async chunkCount(importId: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM import_chunks WHERE import_id = $1`,
      [importId],
    );
    return rows[0]?.n ?? 0;
  }

  async readChunk(importId: string, seq: number): Promise<Buffer | null> {
    const rows = await queryRows<{ data: Buffer }>(
      this.db,
      `SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2`,
      [importId, seq],
    );
    return rows[0]?.data ?? null;
  }
}
