import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { WebhookDeadLetters } from '@app/webhooks';
import { AdminOnly } from '../http/admin-only.decorator';
import { Workspace } from '../http/workspace.decorator';
import { WebhookEventListRequest } from './webhook-event.request';
import {
  WebhookEventListResponse,
  WebhookEventResponse,
  toWebhookEventResponse,
} from './webhook-event.response';

/** Meta's webhook events that failed to apply (about this workspace's business accounts). */
@ApiTags('webhook-events')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/webhook-events')
export class WebhookEventsController {
  constructor(private readonly deadLetters: WebhookDeadLetters) {}

  @ApiOkResponse({ type: WebhookEventListResponse })
  @Get()
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: WebhookEventListRequest,
  ): Promise<WebhookEventListResponse> {
    const page = await this.deadLetters.list(ws, q.state, q.limit, q.cursor);
    return { data: page.data.map(toWebhookEventResponse), nextCursor: page.nextCursor };
  }

  /** Makes a dead letter due again at once, with a fresh count of attempts. */
  @ApiOkResponse({ type: WebhookEventResponse })
  @Post(':id/retry')
  @HttpCode(200)
  async retry(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
  ): Promise<WebhookEventResponse> {
    return toWebhookEventResponse(await this.deadLetters.retry(ws, id));
  }
}
