import { Injectable } from '@nestjs/common';
import { InvalidInputError, toPageBy, type Page, type WorkspaceId } from '@app/common';
import { isUniqueViolation } from '@app/db';
import { RateCardExistsError } from '../campaigns.errors';
import {
  decodeRateCardCursor,
  encodeRateCardCursor,
  type PricingCategory,
} from '../domain/rate-cards';
import { RateCardsRepository, type RateCardRecord } from './rate-cards.repository';

export interface RateCardCreate {
  callingCode: string;
  category: PricingCategory;
  currency: string;
  price: number;
  /** YYYY-MM-DD (UTC): the first day the price applies. */
  effectiveFrom: string;
  country?: string | null;
}

/**
 * Dated rate cards (see domain/rate-cards.ts): read the rows a workspace prices with, add its own.
 * Rows are never edited: a new price is a new row from its day on, so past costs stay as billed.
 */
@Injectable()
export class RateCardsService {
  constructor(private readonly repo: RateCardsRepository) {}

  list(ws: WorkspaceId): Promise<RateCardRecord[]> {
    return this.repo.list(ws);
  }

  /** A page of `list`'s rows; `cursor` is the previous page's `nextCursor` (400 when not one). */
  async page(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<RateCardRecord>> {
    const after = cursor === undefined ? null : decodeRateCardCursor(cursor);
    if (cursor !== undefined && after === null) {
      throw new InvalidInputError('cursor is not valid', { cursor });
    }
    const rows = await this.repo.listPage(ws, limit + 1, after);
    return toPageBy(rows, limit, (last) =>
      encodeRateCardCursor({ ...last, own: last.workspaceId !== null }),
    );
  }

  async add(ws: WorkspaceId, input: RateCardCreate): Promise<RateCardRecord> {
    try {
      return await this.repo.insert(ws, { ...input, country: input.country ?? null });
    } catch (e) {
      if (isUniqueViolation(e, 'rate_cards_key')) {
        throw new RateCardExistsError(input.callingCode, input.category, input.effectiveFrom);
      }
      throw e;
    }
  }
}
