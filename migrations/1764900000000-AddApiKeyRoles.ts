import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API key roles: every key that exists (the seeded one included) keeps what it could do, as admin. */
export class AddApiKeyRoles1764900000000 implements MigrationInterface {
  name = 'AddApiKeyRoles1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_keys ADD COLUMN role text NOT NULL DEFAULT 'admin'
        CONSTRAINT api_keys_role_ck CHECK (role IN ('admin', 'marketer', 'viewer'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN role`);
  }
}
