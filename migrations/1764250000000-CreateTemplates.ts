import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Message templates mirrored with Meta: our definition, Meta's id, status, quality and category. */
export class CreateTemplates1764250000000 implements MigrationInterface {
  name = 'CreateTemplates1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        business_account_id uuid NOT NULL REFERENCES business_accounts(id) ON DELETE CASCADE,
        meta_template_id text,
        name text NOT NULL CHECK (name ~ '^[a-z0-9_]+$' AND length(name) <= 512),
        language text NOT NULL,
        category text NOT NULL,
        previous_category text,
        parameter_format text NOT NULL DEFAULT 'positional' CHECK (parameter_format IN ('positional', 'named')),
        components jsonb NOT NULL,
        message_send_ttl_seconds integer,
        status text NOT NULL CHECK (status IN ('APPROVED','PENDING','REJECTED','PAUSED','DISABLED','FLAGGED',
          'IN_APPEAL','REINSTATED','PENDING_DELETION','DELETED','ARCHIVED','UNARCHIVED','LIMIT_EXCEEDED','LOCKED')),
        rejected_reason text,
        rejection_info jsonb,
        quality_score text,
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT templates_account_name_language_uq UNIQUE (business_account_id, name, language)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX templates_account_meta_id_uq ON templates (business_account_id, meta_template_id)
        WHERE meta_template_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX templates_meta_id_idx ON templates (meta_template_id)`);
    await q.query(
      `CREATE INDEX templates_workspace_idx ON templates (workspace_id, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE templates`);
  }
}
