import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one row per mutating API call of a key (method, route pattern, target id,
 * status), append-only like the consent ledger: a trigger rejects UPDATE, DELETE and TRUNCATE.
 */
export class CreateAuditLog1764900001000 implements MigrationInterface {
  name = 'CreateAuditLog1764900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        api_key_id uuid NOT NULL REFERENCES api_keys(id),
        method text NOT NULL CHECK (method IN ('POST', 'PUT', 'PATCH', 'DELETE')),
        route text NOT NULL CHECK (length(route) BETWEEN 1 AND 500),
        target_id text CHECK (length(target_id) BETWEEN 1 AND 200),
        status smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
        request_id text CHECK (length(request_id) <= 128),
        created_at timestamptz(3) NOT NULL
      )`);
    // Newest first, per workspace.
    await q.query(`CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
  }
}
