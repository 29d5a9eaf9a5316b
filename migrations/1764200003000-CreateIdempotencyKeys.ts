import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key store shared by every mutating POST that starts work: the first answer is kept
 * per (workspace, scope, key) together with a hash of the request, so a replay returns it and a
 * different request under the same key is refused.
 */
export class CreateIdempotencyKeys1764200003000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764200003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        scope text NOT NULL CHECK (length(scope) BETWEEN 1 AND 200),
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash bytea NOT NULL,
        response_status integer NOT NULL,
        response_body jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, scope, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
