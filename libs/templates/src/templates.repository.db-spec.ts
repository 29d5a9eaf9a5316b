// Template TTLs in Postgres: the range is a constraint, and Meta's recategorisation clears it.
import { DataSource } from 'typeorm';
import { Database, dataSourceOptions } from '@app/db';
import { seedCampaignFixture, workerDatabaseUrl } from '@app/testing';
import { TemplatesRepository } from './templates.repository';

let ds: DataSource;
let db: Database;

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 2)).initialize();
  db = new Database(ds);
});

afterAll(async () => {
  await ds?.destroy();
});

describe('template TTL', () => {
  it("refuses a TTL outside its category's range and clears it when Meta recategorises", async () => {
    const f = await seedCampaignFixture(ds, 1);
    const set = (ttl: number) =>
      ds.query(`UPDATE templates SET message_send_ttl_seconds = $2 WHERE id = $1`, [
        f.templateId,
        ttl,
      ]);
    await expect(set(43_199)).rejects.toThrow(/templates_message_send_ttl_ck/);
    await expect(set(2_592_001)).rejects.toThrow(/templates_message_send_ttl_ck/);
    await expect(set(43_200)).resolves.toBeDefined();

    const metaId = `9${Date.now()}`;
    await ds.query(`UPDATE templates SET meta_template_id = $2 WHERE id = $1`, [
      f.templateId,
      metaId,
    ]);
    // A marketing TTL would not fit utility's range: the completed recategorisation clears it.
    await db.tx((tx) =>
      new TemplatesRepository(db).applyCategory(tx, metaId, 'UTILITY', 'MARKETING'),
    );
    const [t] = await ds.query<Array<{ category: string; ttl: number | null }>>(
      `SELECT category, message_send_ttl_seconds AS ttl FROM templates WHERE id = $1`,
      [f.templateId],
    );
    expect(t).toEqual({ category: 'UTILITY', ttl: null });
    await expect(set(600)).resolves.toBeDefined();
    await expect(set(43_201)).rejects.toThrow(/templates_message_send_ttl_ck/);
  });
});
