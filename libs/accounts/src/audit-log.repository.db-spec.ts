import { DataSource } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { AuditLogRepository } from './audit-log.repository';

let db: DataSource;
let repo: AuditLogRepository;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 2)).initialize();
  repo = new AuditLogRepository(new Database(db));
});

afterAll(async () => {
  await db?.destroy();
});

describe('audit log listing', () => {
  it('pages newest first by id, also where ids gain a digit (9 before 10, not after)', async () => {
    await db.query(`DELETE FROM audit_log WHERE id >= 9999999999`);
    const [w] = await db.query(`INSERT INTO workspaces (name) VALUES ('audit') RETURNING id`);
    const [k] = await db.query(
      `INSERT INTO api_keys (workspace_id, name, role, prefix, key_hash)
       VALUES ($1, 'audit', 'admin', 'ak_audit', gen_random_bytes(32)) RETURNING id`,
      [w.id],
    );
    // Ids 9,999,999,999 … 10,000,000,002: as text, "9999999999" sorts after "10000000002".
    for (const id of [9_999_999_999, 10_000_000_000, 10_000_000_001, 10_000_000_002]) {
      await db.query(
        `INSERT INTO audit_log (id, workspace_id, api_key_id, method, route, status, created_at)
         VALUES ($1, $2, $3, 'POST', '/v1/x', 201, now())`,
        [id, w.id, k.id],
      );
    }
    const ws = asWorkspaceId(w.id);
    const first = await repo.list(ws, 2);
    expect(first.data.map((r) => r.id)).toEqual(['10000000002', '10000000001']);
    const second = await repo.list(ws, 2, first.nextCursor ?? undefined);
    expect(second.data.map((r) => r.id)).toEqual(['10000000000', '9999999999']);
    expect(second.nextCursor).toBeNull();
  });
});
