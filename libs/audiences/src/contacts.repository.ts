import { Database, type Sql, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import type { ConsentValue, ContactInput, ContactRecord } from './audiences.types';

interface ContactRow {
  id: string;
  workspace_id: string;
  phone: string;
  user_id: string | null;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
  consent_status: ConsentValue;
  consent_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const CONTACT_COLUMNS =
  'id, workspace_id, phone, user_id, attributes, locale, timezone, consent_status, consent_changed_at, created_at, updated_at';

export function toContactRecord(r: ContactRow): ContactRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    phone: r.phone,
    userId: r.user_id,
    attributes: r.attributes,
    locale: r.locale,
    timezone: r.timezone,
    consent: r.consent_status,
    consentChangedAt: r.consent_changed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

type Queryable = Sql;

@Injectable()
export class ContactsRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or merges one contact by phone (already E.164); attributes merge, null keys drop. */
  async upsert(
    ws: WorkspaceId,
    c: ContactInput,
  ): Promise<{ contact: ContactRecord; created: boolean }> {
    const rows = await queryRows<ContactRow & { inserted: boolean }>(
      this.db,
      `INSERT INTO contacts (workspace_id, phone, attributes, locale, timezone, user_id)
       VALUES ($1, $2, jsonb_strip_nulls(coalesce($3::jsonb, '{}')), $4, $5, $8)
       ON CONFLICT (workspace_id, phone) DO UPDATE SET
         attributes = jsonb_strip_nulls(contacts.attributes || coalesce($3::jsonb, '{}')),
         user_id = coalesce(EXCLUDED.user_id, contacts.user_id),
         locale = CASE WHEN $6 THEN EXCLUDED.locale ELSE contacts.locale END,
         timezone = CASE WHEN $7 THEN EXCLUDED.timezone ELSE contacts.timezone END,
         updated_at = now()
       RETURNING ${CONTACT_COLUMNS}, (xmax = 0) AS inserted`,
      [
        ws,
        c.phone,
        c.attributes === undefined ? null : JSON.stringify(c.attributes),
        c.locale ?? null,
        c.timezone ?? null,
        c.locale !== undefined,
        c.timezone !== undefined,
        c.userId ?? null,
      ],
    );
    const row = rows[0] as ContactRow & { inserted: boolean };
    return { contact: toContactRecord(row), created: row.inserted };
  }

  async findById(
    ws: WorkspaceId,
    id: string,
    tx: Queryable = this.db,
  ): Promise<ContactRecord | null> {
    const rows = await queryRows<ContactRow>(
      tx,
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND id = $2`,
      [ws, id],
    );
    return rows[0] ? toContactRecord(rows[0]) : null;
  }

  /** Contacts of the workspace with these ids, in the order given (unknown ids left out). */
  async findByIds(ws: WorkspaceId, ids: readonly string[]): Promise<ContactRecord[]> {
    const rows = await queryRows<ContactRow>(
      this.db,
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [ws, ids],
    );
    const byId = new Map(rows.map((r) => [r.id, toContactRecord(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async findByPhone(ws: WorkspaceId, phone: string): Promise<ContactRecord | null> {
    const rows = await queryRows<ContactRow>(
      this.db,
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND phone = $2`,
      [ws, phone],
    );
    return rows[0] ? toContactRecord(rows[0]) : null;
  }

  async list(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
    consent?: ConsentValue,
  ): Promise<Page<ContactRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<ContactRow>(
      this.db,
      `SELECT ${CONTACT_COLUMNS} FROM contacts
        WHERE workspace_id = $1
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
          AND ($5::text IS NULL OR consent_status = $5)
        ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1, consent ?? null],
    );
    return toPage(rows.map(toContactRecord), limit);
  }

  /**
   * Ids for these E.164 phones, creating bare contacts for the ones not known yet (one statement
   * each way, never a query per phone).
   */
  async ensureByPhones(
    ws: WorkspaceId,
    phones: string[],
    tx: Queryable = this.db,
  ): Promise<Map<string, string>> {
    const unique = [...new Set(phones)].sort();
    if (unique.length === 0) {
      return new Map();
    }
    await tx.query(
      `INSERT INTO contacts (workspace_id, phone) SELECT $1, p FROM unnest($2::text[]) AS p
       ON CONFLICT (workspace_id, phone) DO NOTHING`,
      [ws, unique],
    );
    const rows = await queryRows<{ id: string; phone: string }>(
      tx,
      `SELECT id, phone FROM contacts WHERE workspace_id = $1 AND phone = ANY($2::text[])`,
      [ws, unique],
    );
    return new Map(rows.map((r) => [r.phone, r.id]));
  }

  /** Contacts (id and phone) of the workspace known by these BSUIDs. */
  async byUserIds(
    ws: WorkspaceId,
    userIds: readonly string[],
    tx: Queryable = this.db,
  ): Promise<Map<string, { id: string; phone: string }>> {
    if (userIds.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ id: string; phone: string; user_id: string }>(
      tx,
      `SELECT id, phone, user_id FROM contacts WHERE workspace_id = $1 AND user_id = ANY($2::text[])`,
      [ws, [...new Set(userIds)]],
    );
    return new Map(rows.map((r) => [r.user_id, { id: r.id, phone: r.phone }]));
  }

  /**
   * Stores the BSUIDs Meta reported beside phones (workspace, E.164, BSUID), one statement for
   * the lot: only on contacts that have none yet, and never a BSUID another contact of the
   * workspace already holds (Meta is the authority on the pairing; a clash is left as it is).
   * Returns how many contacts learned one.
   */
  async learnUserIds(
    pairs: ReadonlyArray<{ workspaceId: string; phone: string; userId: string }>,
    tx: Queryable = this.db,
  ): Promise<number> {
    if (pairs.length === 0) {
      return 0;
    }
    // One pair per (workspace, phone) and per (workspace, BSUID), in a stable order (row locks).
    const seen = new Set<string>();
    const list = [...pairs]
      .sort((a, b) =>
        a.workspaceId === b.workspaceId
          ? a.phone.localeCompare(b.phone)
          : a.workspaceId.localeCompare(b.workspaceId),
      )
      .filter((p) => {
        const k1 = `${p.workspaceId}|${p.phone}`;
        const k2 = `${p.workspaceId}|${p.userId}`;
        if (seen.has(k1) || seen.has(k2)) {
          return false;
        }
        seen.add(k1);
        seen.add(k2);
        return true;
      });
    // A contact locked right now (its consent being recorded, a send claiming it) is skipped rather
    // than waited for: this runs beside the webhook path and must never hold it up. A skipped
    // pairing is learnt from a later webhook (once the caller's cache of seen pairs lets it by).
    const rows = await queryRows<{ id: string }>(
      tx,
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(workspace_id, phone, user_id)),
       target AS (
         SELECT c.id, v.user_id FROM v
           JOIN contacts c ON c.workspace_id = v.workspace_id AND c.phone = v.phone
          WHERE c.user_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM contacts o
                             WHERE o.workspace_id = v.workspace_id AND o.user_id = v.user_id)
          ORDER BY c.id
          FOR NO KEY UPDATE OF c SKIP LOCKED)
       UPDATE contacts c SET user_id = t.user_id, updated_at = now()
         FROM target t WHERE c.id = t.id
       RETURNING c.id`,
      [list.map((p) => p.workspaceId), list.map((p) => p.phone), list.map((p) => p.userId)],
    );
    return rows.length;
  }

  async idsByPhones(ws: WorkspaceId, phones: string[]): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM contacts WHERE workspace_id = $1 AND phone = ANY($2::text[])`,
      [ws, phones],
    );
    return rows.map((r) => r.id);
  }

  async defaultCountry(ws: WorkspaceId): Promise<string | null> {
    const rows = await queryRows<{ default_country: string | null }>(
      this.db,
      `SELECT default_country FROM workspaces WHERE id = $1`,
      [ws],
    );
    return rows[0]?.default_country ?? null;
  }
}
