import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import writes each batch as two transactions on two connections (its contacts split by
 * phone), so Postgres works on both halves at once. `partial_last_row`/`partial_parts` record a
 * batch of which only some parts are committed: a restart redoes exactly the missing parts of
 * that batch, so nothing is doubled or lost. The phone check is rewritten without a bounded
 * repetition, which Postgres's regex engine runs about three times slower (same set of values).
 */
export class ImportPartialBatches1764700000000 implements MigrationInterface {
  name = 'ImportPartialBatches1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE imports
        ADD COLUMN partial_last_row bigint,
        ADD COLUMN partial_parts smallint NOT NULL DEFAULT 0,
        ADD CONSTRAINT imports_partial_ck CHECK (
          (partial_last_row IS NULL) = (partial_parts = 0)
          AND partial_parts BETWEEN 0 AND 255
          AND (partial_last_row IS NULL OR partial_last_row > checkpoint_row))`);
    await q.query(`
      ALTER TABLE contacts DROP CONSTRAINT contacts_phone_check,
        ADD CONSTRAINT contacts_phone_check
          CHECK (length(phone) BETWEEN 8 AND 16 AND phone ~ '^\\+[1-9][0-9]+$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts DROP CONSTRAINT contacts_phone_check,
        ADD CONSTRAINT contacts_phone_check CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$')`);
    await q.query(`
      ALTER TABLE imports DROP CONSTRAINT imports_partial_ck,
        DROP COLUMN partial_parts, DROP COLUMN partial_last_row`);
  }
}
