import { DataSource } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { ContactsRepository } from './contacts.repository';

let db: DataSource;
let repo: ContactsRepository;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 3)).initialize();
  repo = new ContactsRepository(new Database(db));
});

afterAll(async () => {
  await db?.destroy();
});

async function workspace(): Promise<string> {
  const [w] = await db.query(`INSERT INTO workspaces (name) VALUES ('bsuid') RETURNING id`);
  return w.id;
}

describe('business-scoped user ids on contacts', () => {
  it('learns a BSUID only for a contact without one, never one another contact holds', async () => {
    const ws = await workspace();
    await repo.ensureByPhones(asWorkspaceId(ws), [
      '+5511900000001',
      '+5511900000002',
      '+5511900000003',
    ]);
    await db.query(
      `UPDATE contacts SET user_id = 'BR.3' WHERE workspace_id = $1 AND phone = '+5511900000003'`,
      [ws],
    );
    const n = await repo.learnUserIds([
      { workspaceId: ws, phone: '+5511900000001', userId: 'BR.1' },
      // BR.3 is taken by +…003: left alone.
      { workspaceId: ws, phone: '+5511900000002', userId: 'BR.3' },
      // +…003 has one already: kept.
      { workspaceId: ws, phone: '+5511900000003', userId: 'BR.9' },
      // Nobody has this phone.
      { workspaceId: ws, phone: '+5511900000004', userId: 'BR.4' },
    ]);
    expect(n).toBe(1);
    const byUser = await repo.byUserIds(asWorkspaceId(ws), ['BR.1', 'BR.3', 'BR.9']);
    expect([...byUser.entries()].map(([u, c]) => [u, c.phone]).sort()).toEqual([
      ['BR.1', '+5511900000001'],
      ['BR.3', '+5511900000003'],
    ]);
  });

  it('skips a contact locked by someone else instead of waiting for it', async () => {
    const ws = await workspace();
    const ids = await repo.ensureByPhones(asWorkspaceId(ws), ['+5511900000011']);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, [
        ids.get('+5511900000011'),
      ]);
      const n = await repo.learnUserIds([
        { workspaceId: ws, phone: '+5511900000011', userId: 'BR.11' },
      ]);
      expect(n).toBe(0);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(
      await repo.learnUserIds([{ workspaceId: ws, phone: '+5511900000011', userId: 'BR.11' }]),
    ).toBe(1);
  });

  it('keeps one contact per BSUID in a workspace (database constraint)', async () => {
    const ws = await workspace();
    await repo.ensureByPhones(asWorkspaceId(ws), ['+5511900000021', '+5511900000022']);
    await db.query(
      `UPDATE contacts SET user_id = 'BR.21' WHERE workspace_id = $1 AND phone = '+5511900000021'`,
      [ws],
    );
    await expect(
      db.query(
        `UPDATE contacts SET user_id = 'BR.21' WHERE workspace_id = $1 AND phone = '+5511900000022'`,
        [ws],
      ),
    ).rejects.toThrow(/contacts_workspace_user_id_uq/);
    await expect(
      db.query(
        `UPDATE contacts SET user_id = 'not a bsuid' WHERE workspace_id = $1 AND phone = '+5511900000022'`,
        [ws],
      ),
    ).rejects.toThrow(/contacts_user_id_ck/);
  });
});
