import { Injectable } from '@nestjs/common';
import { decodeCursor, isSerialId, toPage, type Page, type WorkspaceId } from '@app/common';
import { Database, queryRows } from '@app/db';
import type { AuditEntry, AuditRecord } from './accounts.types';

interface AuditRow {
  id: string;
  api_key_id: string;
  method: string;
  route: string;
  target_id: string | null;
  status: number;
  request_id: string | null;
  created_at: Date;
}

@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  /** One multi-row INSERT for a group of calls answered at about the same time. */
  async insertMany(entries: readonly AuditEntry[]): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log
         (workspace_id, api_key_id, method, route, target_id, status, request_id, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                            $6::smallint[], $7::text[], $8::timestamptz[])`,
      [
        entries.map((e) => e.workspaceId),
        entries.map((e) => e.apiKeyId),
        entries.map((e) => e.method),
        entries.map((e) => e.route),
        entries.map((e) => e.targetId),
        entries.map((e) => e.status),
        entries.map((e) => e.requestId),
        entries.map((e) => e.at),
      ],
    );
  }

  /** Newest first (by the table's id: plain `id` would sort the text alias). */
  async list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<AuditRecord>> {
    const before = cursor ? decodeCursor(cursor, isSerialId).id : null;
    const rows = await queryRows<AuditRow>(
      this.db,
      `SELECT id::text AS id, api_key_id, method, route, target_id, status, request_id, created_at
         FROM audit_log
        WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id < $2)
        ORDER BY audit_log.id DESC LIMIT $3`,
      [ws, before, limit + 1],
    );
    return toPage(
      rows.map((r) => ({
        id: r.id,
        apiKeyId: r.api_key_id,
        method: r.method,
        route: r.route,
        targetId: r.target_id,
        status: r.status,
        requestId: r.request_id,
        createdAt: r.created_at,
      })),
      limit,
    );
  }
}
