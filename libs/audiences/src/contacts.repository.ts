import { Database, type Sql, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import type { ConsentValue, ContactInput, ContactRecord } from './audiences.types';

interface ContactRow {
  id: string;
  workspace_id: string;
  phone: string;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
  consent_status: ConsentValue;
  consent_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const CONTACT_COLUMNS =
  'id, workspace_id, phone, attributes, locale, timezone, consent_status, consent_changed_at, created_at, updated_at';

export function toContactRecord(r: ContactRow): ContactRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    phone: r.phone,
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
      `INSERT INTO contacts (workspace_id, phone, attributes, locale, timezone)
       VALUES ($1, $2, jsonb_strip_nulls(coalesce($3::jsonb, '{}')), $4, $5)
       ON CONFLICT (workspace_id, phone) DO UPDATE SET
         attributes = jsonb_strip_nulls(contacts.attributes || coalesce($3::jsonb, '{}')),
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
