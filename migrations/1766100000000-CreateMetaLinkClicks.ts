import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Meta's own link clicks (`user_actions`, `marketing_messages_link_click`, MMLITE §4.7), beside the
 * engine's tracked-link clicks (`link_clicks`), never mixed with them:
 * - `meta_link_clicks`: one row per click and workspace holding the number, unique by Meta's
 *   `click_id` per workspace and number (a redelivered webhook adds nothing). A click whose
 *   tracking token names one of our campaign messages carries that message, its campaign and the
 *   template it was sent with; any other click keeps them null (unattributed). Rows are never
 *   updated (a trigger refuses it): the aggregates below count inserts only.
 * - `campaign_meta_clicks` (per campaign and template) and `phone_number_meta_clicks` (per number
 *   and UTC day, with how many were unattributed), kept by one statement-level trigger with a
 *   transition table, keys upserted in sorted order; reports read only these.
 */
export class CreateMetaLinkClicks1766100000000 implements MigrationInterface {
  name = 'CreateMetaLinkClicks1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meta_link_clicks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        phone_number_id uuid NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
        click_id text NOT NULL CHECK (click_id <> ''),
        clicked_at timestamptz NOT NULL,
        component text CHECK (component IN ('cta', 'body')),
        product_id text,
        tracking_token text,
        campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
        campaign_message_id bigint,
        template_id uuid REFERENCES templates(id),
        webhook_event_id bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT meta_link_clicks_click_uq UNIQUE (workspace_id, phone_number_id, click_id),
        CONSTRAINT meta_link_clicks_attribution_ck
          CHECK ((campaign_id IS NULL) = (template_id IS NULL)
                 AND (campaign_id IS NULL) = (campaign_message_id IS NULL))
      )`);
    await q.query(
      `CREATE INDEX meta_link_clicks_campaign_idx ON meta_link_clicks (campaign_id, campaign_message_id)
        WHERE campaign_id IS NOT NULL`,
    );
    await q.query(`
      CREATE FUNCTION meta_link_clicks_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'meta_link_clicks rows are never updated';
      END $$`);
    await q.query(`
      CREATE TRIGGER meta_link_clicks_insert_only BEFORE UPDATE ON meta_link_clicks
        FOR EACH STATEMENT EXECUTE FUNCTION meta_link_clicks_insert_only()`);

    await q.query(`
      CREATE TABLE campaign_meta_clicks (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        template_id uuid NOT NULL REFERENCES templates(id),
        clicks bigint NOT NULL,
        cta bigint NOT NULL,
        body bigint NOT NULL,
        PRIMARY KEY (campaign_id, template_id),
        CONSTRAINT campaign_meta_clicks_counts_ck CHECK (cta >= 0 AND body >= 0 AND cta + body <= clicks)
      )`);
    await q.query(`
      CREATE TABLE phone_number_meta_clicks (
        phone_number_id uuid NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
        day date NOT NULL,
        clicks bigint NOT NULL,
        unattributed bigint NOT NULL,
        PRIMARY KEY (phone_number_id, day),
        CONSTRAINT phone_number_meta_clicks_counts_ck CHECK (unattributed >= 0 AND unattributed <= clicks)
      )`);
    await q.query(`
      CREATE FUNCTION meta_link_clicks_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO campaign_meta_clicks AS t (campaign_id, template_id, clicks, cta, body)
        SELECT campaign_id, template_id, count(*), count(*) FILTER (WHERE component = 'cta'),
               count(*) FILTER (WHERE component = 'body')
          FROM new_rows WHERE campaign_id IS NOT NULL
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (campaign_id, template_id) DO UPDATE
          SET clicks = t.clicks + EXCLUDED.clicks, cta = t.cta + EXCLUDED.cta,
              body = t.body + EXCLUDED.body;

        INSERT INTO phone_number_meta_clicks AS t (phone_number_id, day, clicks, unattributed)
        SELECT phone_number_id, (clicked_at AT TIME ZONE 'UTC')::date, count(*),
               count(*) FILTER (WHERE campaign_id IS NULL)
          FROM new_rows
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (phone_number_id, day) DO UPDATE
          SET clicks = t.clicks + EXCLUDED.clicks,
              unattributed = t.unattributed + EXCLUDED.unattributed;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER meta_link_clicks_count AFTER INSERT ON meta_link_clicks
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION meta_link_clicks_count()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE phone_number_meta_clicks`);
    await q.query(`DROP TABLE campaign_meta_clicks`);
    await q.query(`DROP TABLE meta_link_clicks`);
    await q.query(`DROP FUNCTION meta_link_clicks_count()`);
    await q.query(`DROP FUNCTION meta_link_clicks_insert_only()`);
  }
}
