import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import writes its contacts split by phone into two parts, each a stream of transactions on
 * its own connection, so Postgres works on both at once. `part_checkpoints[p]` is the last row
 * whose effects for part p are committed; `checkpoint_row` stays the row below which everything
 * is committed (the least of them). A restart skips, per part, what that part committed, so
 * nothing is doubled or lost.
 *
 * During a rolling deploy a worker of the previous release may still advance `checkpoint_row`
 * alone (it commits every part of a batch at once); a trigger then moves the parts along with it,
 * so its imports keep working under the new constraint.
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
      CREATE FUNCTION imports_checkpoint_moves_parts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.checkpoint_row IS DISTINCT FROM OLD.checkpoint_row
           AND NEW.part_checkpoints = OLD.part_checkpoints THEN
          NEW.part_checkpoints := ARRAY[greatest(OLD.part_checkpoints[1], NEW.checkpoint_row),
                                        greatest(OLD.part_checkpoints[2], NEW.checkpoint_row)];
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER imports_checkpoint_moves_parts BEFORE UPDATE OF checkpoint_row ON imports
        FOR EACH ROW EXECUTE FUNCTION imports_checkpoint_moves_parts()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER imports_checkpoint_moves_parts ON imports`);
    await q.query(`DROP FUNCTION imports_checkpoint_moves_parts()`);
    await q.query(`
      ALTER TABLE imports DROP CONSTRAINT imports_part_checkpoints_ck,
        DROP COLUMN part_checkpoints`);
  }
}
