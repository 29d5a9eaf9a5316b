import { queryRows, Database } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import type { ApiKeyRecord } from './accounts.types';
import type { ApiKeyRole } from './domain/roles';

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, workspace_id, name, role, prefix, created_at, last_used_at, revoked_at';

function toRecord(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async insert(
    ws: WorkspaceId,
    key: { name: string; role: ApiKeyRole; prefix: string; hash: Buffer },
  ): Promise<ApiKeyRecord> {
    const rows = await queryRows<ApiKeyRow>(
      this.db,
      `INSERT INTO api_keys (workspace_id, name, role, prefix, key_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [ws, key.name, key.role, key.prefix, key.hash],
    );
    return toRecord(rows[0] as ApiKeyRow);
  }

  /** The live key with this hash, touching `last_used_at` at most once a minute. */
  async findLiveByHash(hash: Buffer): Promise<ApiKeyRecord | null> {
    const rows = await queryRows<ApiKeyRow>(
      this.db,
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]);
    }
    return toRecord(row);
  }

  async list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<ApiKeyRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<ApiKeyRow>(
      this.db,
      `SELECT ${COLUMNS} FROM api_keys
        WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1],
    );
    return toPage(rows.map(toRecord), limit);
  }

  async revoke(ws: WorkspaceId, id: string): Promise<ApiKeyRecord | null> {
    const rows = await queryRows<ApiKeyRow>(
      this.db,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
        WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [ws, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Makes sure the default workspace exists and holds a key with this hash; returns the workspace. */
  async seedDefault(prefix: string, hash: Buffer): Promise<WorkspaceId> {
    return this.db.tx(async (tx) => {
      const ws: Array<{ id: string }> = await tx.query(
        `INSERT INTO workspaces (name, slug) VALUES ('Default workspace', 'default')
         ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id`,
      );
      const id = (ws[0] as { id: string }).id;
      await tx.query(
        `INSERT INTO api_keys (workspace_id, name, role, prefix, key_hash)
         VALUES ($1, 'API_KEY from environment', 'admin', $2, $3)
         ON CONFLICT (key_hash) DO NOTHING`,
        [id, prefix, hash],
      );
      return asWorkspaceId(id);
    });
  }

  async createWorkspace(name: string): Promise<WorkspaceId> {
    const rows: Array<{ id: string }> = await this.db.query(
      `INSERT INTO workspaces (name) VALUES ($1) RETURNING id`,
      [name],
    );
    return asWorkspaceId((rows[0] as { id: string }).id);
  }
}
