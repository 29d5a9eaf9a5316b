import { queryRows, Database, type Sql } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import { dailyLimitForTier } from '@app/graph-contract';
import type {
  BusinessAccountRecord,
  PhoneNumberOverrides,
  PhoneNumberRecord,
} from './accounts.types';

interface AccountRow {
  id: string;
  workspace_id: string;
  waba_id: string;
  name: string | null;
  access_token_sealed: string;
  created_at: Date;
  updated_at: Date;
}

interface PhoneRow {
  id: string;
  workspace_id: string;
  business_account_id: string;
  phone_number_id: string;
  display_phone_number: string;
  verified_name: string | null;
  quality_rating: string | null;
  throughput_level: string | null;
  graph_throughput_mps: number;
  throughput_mps_override: number | null;
  messaging_limit_tier: string | null;
  messaging_limit_per_day_override: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface PhoneNumberUpsert {
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string | null;
  qualityRating: string | null;
  throughputLevel: string | null;
  graphThroughputMps: number;
  messagingLimitTier: string | null;
}

function toPhone(r: PhoneRow): PhoneNumberRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    businessAccountId: r.business_account_id,
    phoneNumberId: r.phone_number_id,
    displayPhoneNumber: r.display_phone_number,
    verifiedName: r.verified_name,
    qualityRating: r.quality_rating,
    throughputLevel: r.throughput_level,
    graphThroughputMps: r.graph_throughput_mps,
    throughputMps: r.throughput_mps_override ?? r.graph_throughput_mps,
    messagingLimitTier: r.messaging_limit_tier,
    messagingLimitPerDay:
      r.messaging_limit_per_day_override ?? dailyLimitForTier(r.messaging_limit_tier ?? undefined),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAccount(r: AccountRow, phones: PhoneRow[]): BusinessAccountRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    wabaId: r.waba_id,
    name: r.name,
    phoneNumbers: phones.filter((p) => p.business_account_id === r.id).map(toPhone),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const PAGE_WHERE = `workspace_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))`;

@Injectable()
export class BusinessAccountsRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or refreshes the account and its numbers in one transaction. */
  async upsert(
    ws: WorkspaceId,
    account: { wabaId: string; name: string | null; accessTokenSealed: string },
    phones: PhoneNumberUpsert[],
  ): Promise<BusinessAccountRecord> {
    return this.db.tx(async (tx) => {
      const rows = await queryRows<AccountRow>(
        tx,
        `INSERT INTO business_accounts (workspace_id, waba_id, name, access_token_sealed)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, waba_id) DO UPDATE
           SET name = coalesce(EXCLUDED.name, business_accounts.name),
               access_token_sealed = EXCLUDED.access_token_sealed, updated_at = now()
         RETURNING *`,
        [ws, account.wabaId, account.name, account.accessTokenSealed],
      );
      const acc = rows[0] as AccountRow;
      await this.upsertPhones(tx, ws, acc.id, phones);
      return toAccount(acc, await this.phonesOf(tx, ws, [acc.id]));
    });
  }

  private async upsertPhones(
    tx: Sql,
    ws: WorkspaceId,
    accountId: string,
    phones: PhoneNumberUpsert[],
  ): Promise<void> {
    if (phones.length === 0) {
      return;
    }
    await tx.query(
      `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number,
          verified_name, quality_rating, throughput_level, graph_throughput_mps, messaging_limit_tier)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[])
       ON CONFLICT (workspace_id, phone_number_id) DO UPDATE SET
         business_account_id = EXCLUDED.business_account_id,
         display_phone_number = EXCLUDED.display_phone_number,
         verified_name = EXCLUDED.verified_name,
         quality_rating = EXCLUDED.quality_rating,
         throughput_level = EXCLUDED.throughput_level,
         graph_throughput_mps = EXCLUDED.graph_throughput_mps,
         messaging_limit_tier = EXCLUDED.messaging_limit_tier,
         updated_at = now()`,
      [
        ws,
        accountId,
        phones.map((p) => p.phoneNumberId),
        phones.map((p) => p.displayPhoneNumber),
        phones.map((p) => p.verifiedName),
        phones.map((p) => p.qualityRating),
        phones.map((p) => p.throughputLevel),
        phones.map((p) => p.graphThroughputMps),
        phones.map((p) => p.messagingLimitTier),
      ],
    );
  }

  private phonesOf(tx: Sql, ws: WorkspaceId, accountIds: string[]): Promise<PhoneRow[]> {
    return tx.query(
      `SELECT * FROM phone_numbers WHERE workspace_id = $1 AND business_account_id = ANY($2::uuid[])
        ORDER BY created_at, id`,
      [ws, accountIds],
    );
  }

  async list(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
  ): Promise<Page<BusinessAccountRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<AccountRow>(
      this.db,
      `SELECT * FROM business_accounts WHERE ${PAGE_WHERE} ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1],
    );
    const phones = await this.phonesOf(
      this.db,
      ws,
      rows.map((r) => r.id),
    );
    return toPage(
      rows.map((r) => toAccount(r, phones)),
      limit,
    );
  }

  async find(
    ws: WorkspaceId,
    id: string,
  ): Promise<(BusinessAccountRecord & { accessTokenSealed: string }) | null> {
    const rows = await queryRows<AccountRow>(
      this.db,
      `SELECT * FROM business_accounts WHERE workspace_id = $1 AND id = $2`,
      [ws, id],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    const phones = await this.phonesOf(this.db, ws, [row.id]);
    return { ...toAccount(row, phones), accessTokenSealed: row.access_token_sealed };
  }

  /** The Meta ids (WABA ids) of every business account of the workspace. */
  async wabaIds(ws: WorkspaceId): Promise<string[]> {
    const rows = await queryRows<{ waba_id: string }>(
      this.db,
      `SELECT waba_id FROM business_accounts WHERE workspace_id = $1`,
      [ws],
    );
    return rows.map((r) => r.waba_id);
  }

  async listPhones(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
  ): Promise<Page<PhoneNumberRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<PhoneRow>(
      this.db,
      `SELECT * FROM phone_numbers WHERE ${PAGE_WHERE} ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1],
    );
    return toPage(rows.map(toPhone), limit);
  }

  async findPhone(ws: WorkspaceId, id: string): Promise<PhoneNumberRecord | null> {
    const rows = await queryRows<PhoneRow>(
      this.db,
      `SELECT * FROM phone_numbers WHERE workspace_id = $1 AND id = $2`,
      [ws, id],
    );
    return rows[0] ? toPhone(rows[0]) : null;
  }

  async updatePhone(
    ws: WorkspaceId,
    id: string,
    o: PhoneNumberOverrides,
  ): Promise<PhoneNumberRecord | null> {
    const rows = await queryRows<PhoneRow>(
      this.db,
      `UPDATE phone_numbers SET
         throughput_mps_override = CASE WHEN $3 THEN $4::int ELSE throughput_mps_override END,
         messaging_limit_per_day_override = CASE WHEN $5 THEN $6::int ELSE messaging_limit_per_day_override END,
         updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [
        ws,
        id,
        o.throughputMps !== undefined,
        o.throughputMps ?? null,
        o.messagingLimitPerDay !== undefined,
        o.messagingLimitPerDay ?? null,
      ],
    );
    return rows[0] ? toPhone(rows[0]) : null;
  }
}
