import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { RateCardsService } from '@app/campaigns';
import { AdminOnly } from '../http/admin-only.decorator';
import { ListRequest } from '../http/list.request';
import { Workspace } from '../http/workspace.decorator';
import { RateCardCreateRequest } from './rate-card.request';
import { RateCardListResponse, RateCardResponse, toRateCardResponse } from './rate-card.response';

/**
 * Dated rate cards: a price per calling code, category and first day. Cost in reports is each
 * delivered billable message at the row in force on its delivery day; the plan uses today's.
 */
@ApiTags('rate-cards')
@ApiBearerAuth()
@Controller('v1/rate-cards')
export class RateCardsController {
  constructor(private readonly rateCards: RateCardsService) {}

  /** The defaults and this workspace's own rows, every date, by calling code, category and day. */
  @Get()
  @ApiOkResponse({ type: RateCardListResponse })
  async list(@Workspace() ws: WorkspaceId, @Query() q: ListRequest): Promise<RateCardListResponse> {
    const page = await this.rateCards.page(ws, q.limit, q.cursor);
    return { data: page.data.map(toRateCardResponse), nextCursor: page.nextCursor };
  }

  /** Adds a price from a day on (409 when that calling code, category and day has one). */
  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: RateCardResponse })
  async add(
    @Workspace() ws: WorkspaceId,
    @Body() body: RateCardCreateRequest,
  ): Promise<RateCardResponse> {
    return toRateCardResponse(await this.rateCards.add(ws, body));
  }
}
