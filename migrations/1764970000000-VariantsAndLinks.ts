import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A/B variants and the engine's own tracked links:
 * - `campaign_variants`: 2–5 templates with their bindings and weights per campaign; the
 *   campaign's own template and parameters are those of its first variant;
 * - `campaigns.ab_test` (test share, metric, decide-after, minimum per variant) and the winner,
 *   decided once (by the rule, or promoted by hand) with the figures it was decided on;
 * - `campaign_messages.variant`: the variant a recipient of the test share was given; NULL for
 *   the rest of the target, which is sent with the winner once there is one;
 * - `link_clicks`: per recipient's message and link, the first and last click and how many,
 *   written before the redirect answers. A worker then sets the message's `clicked_at` from its
 *   first click (`projected`), so counts, reports, segments and attribution see it — the redirect
 *   itself never waits for the campaign's counters.
 */
export class VariantsAndLinks1764970000000 implements MigrationInterface {
  name = 'VariantsAndLinks1764970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_variants (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[A-Za-z0-9_-]{1,32}$'),
        position smallint NOT NULL CHECK (position BETWEEN 0 AND 4),
        template_id uuid NOT NULL REFERENCES templates(id),
        parameters jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
        weight integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
        PRIMARY KEY (campaign_id, key),
        CONSTRAINT campaign_variants_position_uq UNIQUE (campaign_id, position)
      )`);
    await q.query(`CREATE INDEX campaign_variants_template_idx ON campaign_variants (template_id)`);
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN ab_test jsonb CHECK (jsonb_typeof(ab_test) = 'object'),
        ADD COLUMN winner_key text,
        ADD COLUMN winner_decided_at timestamptz,
        ADD COLUMN winner_decision jsonb,
        ADD CONSTRAINT campaigns_winner_ck
          CHECK ((winner_key IS NULL) = (winner_decided_at IS NULL)
                 AND (winner_key IS NULL) = (winner_decision IS NULL)),
        ADD CONSTRAINT campaigns_winner_fk FOREIGN KEY (id, winner_key)
          REFERENCES campaign_variants (campaign_id, key)`);
    await q.query(`
      ALTER TABLE campaign_messages
        ADD COLUMN variant text CHECK (variant ~ '^[A-Za-z0-9_-]{1,32}$')`);
    await q.query(`
      CREATE INDEX campaign_messages_variant_idx ON campaign_messages (campaign_id, variant)
        WHERE variant IS NOT NULL`);
    await q.query(`
      CREATE TABLE link_clicks (
        campaign_message_id bigint NOT NULL,
        link_index smallint NOT NULL CHECK (link_index BETWEEN 0 AND 61),
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        first_click_at timestamptz NOT NULL,
        last_click_at timestamptz NOT NULL,
        clicks integer NOT NULL CHECK (clicks > 0),
        -- The message's clicked_at follows (a worker tick) and this is set; see LinkClicksRepository.
        projected boolean NOT NULL DEFAULT false,
        PRIMARY KEY (campaign_message_id, link_index),
        CONSTRAINT link_clicks_order_ck CHECK (last_click_at >= first_click_at)
      )`);
    await q.query(`CREATE INDEX link_clicks_campaign_idx ON link_clicks (campaign_id)`);
    await q.query(
      `CREATE INDEX link_clicks_unprojected_idx ON link_clicks (campaign_message_id) WHERE NOT projected`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE link_clicks`);
    await q.query(`DROP INDEX campaign_messages_variant_idx`);
    await q.query(`ALTER TABLE campaign_messages DROP COLUMN variant`);
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_winner_fk, DROP CONSTRAINT campaigns_winner_ck,
        DROP COLUMN ab_test, DROP COLUMN winner_key, DROP COLUMN winner_decided_at,
        DROP COLUMN winner_decision`);
    await q.query(`DROP TABLE campaign_variants`);
  }
}
