import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import writes its contacts split by phone into two parts, each a stream of transactions on
 * its own connection, so Postgres works on both at once. `part_checkpoints[p]` is the last row
 * whose effects for part p are committed; `checkpoint_row` stays the row below which everything
 * is committed (the least of them). A restart skips, per part, what that part committed, so
 * nothing is doubled or lost. The phone check is rewritten without a bounded repetition, which
 * Postgres's regex engine runs about three times slower (same set of values).
 */
export class ImportPartCheckpoints1764700000000 implements MigrationInterface {
  name = 'ImportPartCheckpoints1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE imports ADD COLUMN part_checkpoints bigint[] NOT NULL DEFAULT '{0,0}'`,
    );
    await q.query(`UPDATE imports SET part_checkpoints = ARRAY[checkpoint_row, checkpoint_row]`);
    await q.query(`
      ALTER TABLE imports ADD CONSTRAINT imports_part_checkpoints_ck CHECK (
        cardinality(part_checkpoints) = 2
        AND checkpoint_row = LEAST(part_checkpoints[1], part_checkpoints[2]))`);
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
      ALTER TABLE imports DROP CONSTRAINT imports_part_checkpoints_ck,
        DROP COLUMN part_checkpoints`);
  }
}
