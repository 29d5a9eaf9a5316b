import { Database, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import {
  asWorkspaceId,
  decodeCursor,
  InvalidInputError,
  isUuid,
  toPage,
  type Page,
  type WorkspaceId,
} from '@app/common';
import type { AudienceRecord, ContactRecord } from './audiences.types';
import { CONTACT_COLUMNS, toContactRecord } from './contacts.repository';

interface AudienceRow {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  member_count: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, workspace_id, name, description, member_count, created_at, updated_at';

function toRecord(r: AudienceRow): AudienceRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    name: r.name,
    description: r.description,
    memberCount: Number(r.member_count),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Opted-in members of an audience, for campaigns (documented contract, keep stable):
 * `$1` = workspace id, `$2` = audience id. Columns: `contacts.consent_status` ('opted_in' |
 * 'opted_out' | 'none', derived from the consent ledger in the same transaction as each append)
 * and `contacts.consent_changed_at`. Membership is `audience_members (audience_id, contact_id)`.
 */
export const OPTED_IN_AUDIENCE_MEMBERS_SQL = `
  SELECT c.id, c.phone, c.attributes, c.locale, c.timezone
    FROM audience_members m
    JOIN contacts c ON c.id = m.contact_id
   WHERE m.audience_id = $2 AND c.workspace_id = $1 AND c.consent_status = 'opted_in'`;

/** Member pages are ordered by contact id, which the primary key serves without another index. */
function decodeMemberCursor(raw: string): string {
  const id = Buffer.from(raw, 'base64url').toString('utf8');
  if (!isUuid(id)) {
    throw new InvalidInputError('cursor is not valid', { cursor: raw });
  }
  return id;
}

@Injectable()
export class AudiencesRepository {
  constructor(private readonly db: Database) {}

  async create(ws: WorkspaceId, name: string, description: string | null): Promise<AudienceRecord> {
    const rows = await queryRows<AudienceRow>(
      this.db,
      `INSERT INTO audiences (workspace_id, name, description) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [ws, name, description],
    );
    return toRecord(rows[0] as AudienceRow);
  }

  async find(ws: WorkspaceId, id: string): Promise<AudienceRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const rows = await queryRows<AudienceRow>(
      this.db,
      `SELECT ${COLUMNS} FROM audiences WHERE workspace_id = $1 AND id = $2`,
      [ws, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<AudienceRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<AudienceRow>(
      this.db,
      `SELECT ${COLUMNS} FROM audiences
        WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1],
    );
    return toPage(rows.map(toRecord), limit);
  }

  /** Adds contacts of this workspace; returns how many became members and which ids are unknown. */
  async addMembers(
    ws: WorkspaceId,
    audienceId: string,
    contactIds: string[],
  ): Promise<{ added: number; known: Set<string> }> {
    const ids = [...new Set(contactIds)].sort();
    return this.db.tx(async (tx) => {
      const known = await queryRows<{ id: string }>(
        tx,
        `SELECT id FROM contacts WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        [ws, ids],
      );
      const added = await queryRows<{ contact_id: string }>(
        tx,
        `INSERT INTO audience_members (audience_id, contact_id)
         SELECT $1, id FROM unnest($2::uuid[]) AS id ORDER BY id
         ON CONFLICT DO NOTHING RETURNING contact_id`,
        [audienceId, known.map((k) => k.id)],
      );
      return { added: added.length, known: new Set(known.map((k) => k.id)) };
    });
  }

  async removeMembers(audienceId: string, contactIds: string[]): Promise<number> {
    const removed = await queryRows<{ contact_id: string }>(
      this.db,
      `DELETE FROM audience_members WHERE audience_id = $1 AND contact_id = ANY($2::uuid[])
       RETURNING contact_id`,
      [audienceId, [...new Set(contactIds)]],
    );
    return removed.length;
  }

  async memberCount(audienceId: string): Promise<number> {
    const rows = await queryRows<{ member_count: string }>(
      this.db,
      `SELECT member_count FROM audiences WHERE id = $1`,
      [audienceId],
    );
    return Number(rows[0]?.member_count ?? 0);
  }

  async members(
    ws: WorkspaceId,
    audienceId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ContactRecord & { addedAt: Date }>> {
    const after = cursor ? decodeMemberCursor(cursor) : null;
    const rows = await queryRows<Parameters<typeof toContactRecord>[0] & { added_at: Date }>(
      this.db,
      `SELECT ${CONTACT_COLUMNS.split(', ')
        .map((c) => `c.${c}`)
        .join(', ')}, m.added_at
         FROM audience_members m JOIN contacts c ON c.id = m.contact_id
        WHERE m.audience_id = $1 AND c.workspace_id = $2 AND ($3::uuid IS NULL OR m.contact_id > $3)
        ORDER BY m.contact_id LIMIT $4`,
      [audienceId, ws, after, limit + 1],
    );
    const data = rows.slice(0, limit).map((r) => ({ ...toContactRecord(r), addedAt: r.added_at }));
    const last = data[data.length - 1];
    return {
      data,
      nextCursor:
        rows.length > limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
    };
  }

  /** A page of opted-in members (see OPTED_IN_AUDIENCE_MEMBERS_SQL), keyset by contact id. */
  async optedInMembers(
    ws: WorkspaceId,
    audienceId: string,
    limit: number,
    afterContactId: string | null,
  ): Promise<Array<{ id: string; phone: string }>> {
    return queryRows<{ id: string; phone: string }>(
      this.db,
      `${OPTED_IN_AUDIENCE_MEMBERS_SQL} AND ($3::uuid IS NULL OR m.contact_id > $3)
       ORDER BY m.contact_id LIMIT $4`,
      [ws, audienceId, afterContactId, limit],
    );
  }
}
