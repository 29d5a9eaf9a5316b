import { Injectable } from '@nestjs/common';
import type { WorkspaceId } from '@app/common';
import { Database, queryRows } from '@app/db';
import type { PricingCategory, RateCardKey, RateCardRow } from '../domain/rate-cards';

export interface RateCardRecord extends RateCardRow {
  id: string;
  country: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  workspace_id: string | null;
  calling_code: string;
  country: string | null;
  category: PricingCategory;
  currency: string;
  price: string;
  effective_from: string;
  created_at: Date;
}

const SELECT = `SELECT id::text, workspace_id, calling_code, country, category, currency, price,
                       to_char(effective_from, 'YYYY-MM-DD') AS effective_from, created_at
                  FROM rate_cards`;

/** The order a card is read in: calling code, category, day, the default before the workspace's row. */
const CARD_ORDER = 'calling_code, category, effective_from, workspace_id IS NOT NULL, id';

function toRecord(r: Row): RateCardRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    callingCode: r.calling_code,
    country: r.country,
    category: r.category,
    currency: r.currency.trim(),
    price: Number(r.price),
    effectiveFrom: r.effective_from,
    createdAt: r.created_at,
  };
}

/** The rate cards a workspace prices with: the defaults (workspace null) and its own rows. */
@Injectable()
export class RateCardsRepository {
  constructor(private readonly db: Database) {}

  async list(ws: WorkspaceId): Promise<RateCardRecord[]> {
    const rows = await queryRows<Row>(
      this.db,
      `${SELECT} WHERE workspace_id IS NULL OR workspace_id = $1
        ORDER BY ${CARD_ORDER}`,
      [ws],
    );
    return rows.map(toRecord);
  }

  /**
   * Up to `limit` rows after `after`, in the order `list` gives.
   */
  async listPage(
    ws: WorkspaceId,
    limit: number,
    after: RateCardKey | null,
  ): Promise<RateCardRecord[]> {
    const params: unknown[] = [ws, limit];
    let keyset = '';
    if (after) {
      params.push(after.callingCode, after.category, after.effectiveFrom, after.own, after.id);
      keyset = `AND (${CARD_ORDER}) > ($3, $4, $5::date, $6::boolean, $7::bigint)`;
    }
    const rows = await queryRows<Row>(
      this.db,
      `${SELECT} WHERE (workspace_id IS NULL OR workspace_id = $1) ${keyset}
        ORDER BY ${CARD_ORDER} LIMIT $2`,
      params,
    );
    return rows.map(toRecord);
  }

  /** Adds a workspace's row; a duplicate (calling code, category, effectiveFrom) raises rate_cards_key. */
  async insert(
    ws: WorkspaceId,
    r: Omit<RateCardRow, 'workspaceId'> & { country: string | null },
  ): Promise<RateCardRecord> {
    const rows = await queryRows<Row>(
      this.db,
      `WITH ins AS (
         INSERT INTO rate_cards (workspace_id, calling_code, country, category, currency, price, effective_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
       ${SELECT.replace('FROM rate_cards', 'FROM ins')}`,
      [ws, r.callingCode, r.country, r.category, r.currency, r.price, r.effectiveFrom],
    );
    return toRecord(rows[0] as Row);
  }
}
