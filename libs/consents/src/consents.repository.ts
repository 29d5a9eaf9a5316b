import { Injectable } from '@nestjs/common';
import { InvalidInputError, type WorkspaceId } from '@app/common';
import { Database, queryRows, type Sql } from '@app/db';
import type { ConsentRecord } from './consents.types';
import type { ConsentState, ConsentStatus, RecorderKind } from './domain/consent-rule';

interface LedgerRow {
  id: string;
  seq: string;
  contact_id: string;
  status: ConsentStatus;
  source: string;
  proof: string | null;
  business_name: string | null;
  intent: string | null;
  occurred_at: Date;
  recorded_at: Date;
  recorded_by_kind: RecorderKind;
  recorded_by_id: string | null;
  effective: boolean;
}

const COLUMNS = `id, seq, contact_id, status, source, proof, business_name, intent, occurred_at,
  recorded_at, recorded_by_kind, recorded_by_id, effective`;

function toRecord(r: LedgerRow): ConsentRecord {
  return {
    id: r.id,
    contactId: r.contact_id,
    status: r.status,
    source: r.source,
    proof: r.proof,
    businessName: r.business_name,
    intent: r.intent,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    recordedByKind: r.recorded_by_kind,
    recordedById: r.recorded_by_id,
    effective: r.effective,
  };
}

export interface LedgerAppend {
  contactId: string;
  status: ConsentStatus;
  source: string;
  proof: string | null;
  businessName: string | null;
  intent: string | null;
  occurredAt: Date;
  recordedByKind: RecorderKind;
  recordedById: string | null;
  effective: boolean;
}

@Injectable()
export class ConsentsRepository {
  constructor(private readonly db: Database) {}

  /** Current consent (and phone) of these contacts, row-locked in id order until the transaction ends. */
  async lockStates(
    tx: Sql,
    ws: WorkspaceId,
    ids: string[],
  ): Promise<Map<string, ConsentState & { phone: string }>> {
    const rows = await queryRows<{
      id: string;
      phone: string;
      consent_status: ConsentState['status'];
      consent_changed_at: Date | null;
      consent_recorded_via: RecorderKind | null;
    }>(
      tx,
      `SELECT id, phone, consent_status, consent_changed_at, consent_recorded_via FROM contacts
        WHERE workspace_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [ws, ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          phone: r.phone,
          status: r.consent_status,
          changedAt: r.consent_changed_at,
          via: r.consent_recorded_via,
        },
      ]),
    );
  }

  /** Workspaces that send from each of Meta's phone-number ids (a number may be registered in several). */
  async workspacesOfNumbers(
    numbers: ReadonlyArray<string | null>,
    tx: Sql = this.db,
  ): Promise<Map<string, string[]>> {
    const ids = [...new Set(numbers.filter((n): n is string => !!n))];
    const out = new Map<string, string[]>();
    if (ids.length === 0) {
      return out;
    }
    const rows = await queryRows<{ workspace_id: string; phone_number_id: string }>(
      tx,
      `SELECT DISTINCT workspace_id, phone_number_id FROM phone_numbers WHERE phone_number_id = ANY($1::text[])`,
      [ids],
    );
    for (const r of rows) {
      const list = out.get(r.phone_number_id) ?? [];
      list.push(r.workspace_id);
      out.set(r.phone_number_id, list);
    }
    return out;
  }

  async append(tx: Sql, ws: WorkspaceId, rows: LedgerAppend[]): Promise<ConsentRecord[]> {
    const inserted = await queryRows<LedgerRow>(
      tx,
      `INSERT INTO consent_ledger (workspace_id, contact_id, status, source, proof, business_name, intent,
                                   occurred_at, recorded_by_kind, recorded_by_id, effective)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                $8::timestamptz[], $9::text[], $10::text[], $11::boolean[])
       RETURNING ${COLUMNS}`,
      [
        ws,
        rows.map((r) => r.contactId),
        rows.map((r) => r.status),
        rows.map((r) => r.source),
        rows.map((r) => r.proof),
        rows.map((r) => r.businessName),
        rows.map((r) => r.intent),
        rows.map((r) => r.occurredAt.toISOString()),
        rows.map((r) => r.recordedByKind),
        rows.map((r) => r.recordedById),
        rows.map((r) => r.effective),
      ],
    );
    return inserted.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toRecord);
  }

  async saveStates(tx: Sql, states: Map<string, ConsentState>): Promise<void> {
    const entries = [...states.entries()].filter(([, s]) => s.status !== 'none');
    if (entries.length === 0) {
      return;
    }
    await tx.query(
      `UPDATE contacts c SET consent_status = u.status, consent_changed_at = u.changed_at,
              consent_recorded_via = u.via
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) AS u(id, status, changed_at, via)
        WHERE c.id = u.id`,
      [
        entries.map(([id]) => id),
        entries.map(([, s]) => s.status),
        entries.map(([, s]) => s.changedAt?.toISOString() ?? null),
        entries.map(([, s]) => s.via),
      ],
    );
  }

  async list(
    ws: WorkspaceId,
    contactId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ data: ConsentRecord[]; nextCursor: string | null }> {
    let after: string | null = null;
    if (cursor) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!/^[0-9]{1,19}$/.test(after)) {
        throw new InvalidInputError('cursor is not valid', { cursor });
      }
    }
    const rows = await queryRows<LedgerRow>(
      this.db,
      `SELECT ${COLUMNS} FROM consent_ledger
        WHERE workspace_id = $1 AND contact_id = $2 AND ($3::bigint IS NULL OR seq > $3)
        ORDER BY seq LIMIT $4`,
      [ws, contactId, after, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toRecord),
      nextCursor: rows.length > limit && last ? Buffer.from(last.seq).toString('base64url') : null,
    };
  }

  /**
   * The consent rule restated in SQL for an import batch: an import's opt-in takes effect only on
   * contacts without any consent yet (see domain/consent-rule.ts); at most one entry per contact
   * and import, so a retried batch appends nothing twice.
   */
  async recordImportOptIns(
    tx: Sql,
    ws: WorkspaceId,
    e: { importId: string; contactIds: string[]; source: string; occurredAt: Date },
  ): Promise<number> {
    const rows = await queryRows(
      tx,
      `WITH flipped AS (
         UPDATE contacts SET consent_status = 'opted_in', consent_changed_at = $3,
                consent_recorded_via = 'import'
          WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND consent_status = 'none'
          RETURNING id)
       INSERT INTO consent_ledger (workspace_id, contact_id, status, source, occurred_at,
                                   recorded_by_kind, recorded_by_id, effective)
       SELECT $1, id, 'opted_in', $4, $3, 'import', $5, true FROM flipped
       ON CONFLICT (contact_id, recorded_by_id) WHERE recorded_by_kind = 'import' DO NOTHING
       RETURNING 1`,
      [ws, e.contactIds, e.occurredAt.toISOString(), e.source, e.importId],
    );
    return rows.length;
  }
}
