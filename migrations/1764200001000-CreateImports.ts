import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CSV imports: the upload is kept in Postgres (bytea chunks) so the API and the worker may run on
 * different machines; `checkpoint_row` is the last data row whose effects are committed, which is
 * where a restarted import resumes. `lease_token`/`heartbeat_at` let one worker own a running import
 * and another take it over once the lease lapses.
 */
export class CreateImports1764200001000 implements MigrationInterface {
  name = 'CreateImports1764200001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        audience_id uuid NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
        status text NOT NULL
          CHECK (status IN ('uploading', 'queued', 'running', 'completed', 'failed')),
        options jsonb NOT NULL DEFAULT '{}',
        byte_size bigint NOT NULL DEFAULT 0 CHECK (byte_size >= 0),
        sha256 bytea,
        total_rows bigint NOT NULL DEFAULT 0,
        created bigint NOT NULL DEFAULT 0,
        updated bigint NOT NULL DEFAULT 0,
        skipped bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        checkpoint_row bigint NOT NULL DEFAULT 0,
        failure_reason text,
        lease_token uuid,
        heartbeat_at timestamptz(3),
        restarts integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        CONSTRAINT imports_counts_ck
          CHECK (total_rows = created + updated + skipped + failed),
        CONSTRAINT imports_failure_reason_ck
          CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX imports_workspace_idx ON imports (workspace_id, created_at, id)`);
    await q.query(
      `CREATE INDEX imports_unfinished_idx ON imports (heartbeat_at)
        WHERE status IN ('uploading', 'queued', 'running')`,
    );
    await q.query(`
      CREATE TABLE import_chunks (
        import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
    // CSV compresses well, but pglz costs more CPU on the upload path than the disk it saves.
    await q.query(`ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
    await q.query(`
      CREATE TABLE import_errors (
        import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        row bigint NOT NULL,
        column_name text,
        reason text NOT NULL,
        PRIMARY KEY (import_id, row)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_errors`);
    await q.query(`DROP TABLE import_chunks`);
    await q.query(`DROP TABLE imports`);
  }
}
