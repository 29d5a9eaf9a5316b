import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AbTestWinner,
  CampaignPlanner,
  CampaignsService,
  RetryFailed,
  type CampaignExclusion,
} from '@app/campaigns';
import type { WorkspaceId } from '@app/common';
import { Workspace } from '../http/workspace.decorator';
import type { TemplateParametersRequest } from '../templates/template.request';
import {
  CampaignCreateRequest,
  CampaignFollowUpRequest,
  CampaignListRequest,
  CampaignRetryRequest,
  type CampaignExclusionRequest,
  type CampaignVariantRequest,
  CampaignMessagesRequest,
  CampaignTestRequest,
} from './campaign.request';
import {
  CampaignListResponse,
  CampaignMessageListResponse,
  CampaignPlanResponse,
  CampaignResponse,
  CampaignRetryResponse,
  CampaignTestResponse,
  toCampaignMessageResponse,
  toCampaignResponse,
} from './campaign.response';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly planner: CampaignPlanner,
    private readonly retryFailed: RetryFailed,
    private readonly abTests: AbTestWinner,
  ) {}

  /** Creates a draft; nothing is sent until launch. */
  @Post()
  @ApiCreatedResponse({ type: CampaignResponse })
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: CampaignCreateRequest,
  ): Promise<CampaignResponse> {
    const { exclude, ...rest } = body;
    return toCampaignResponse(
      await this.campaigns.create(ws, {
        ...rest,
        ...contentOf(body),
        exclude: toExclusions(exclude),
      }),
    );
  }

  /** A draft to the recipients of this campaign with an outcome (e.g. delivered_not_read). */
  @ApiCreatedResponse({ type: CampaignResponse })
  @Post(':id/follow-up')
  async followUp(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: CampaignFollowUpRequest,
  ): Promise<CampaignResponse> {
    const { exclude, ...rest } = body;
    return toCampaignResponse(
      await this.campaigns.followUp(ws, id, {
        ...rest,
        ...contentOf(body),
        exclude: toExclusions(exclude),
      }),
    );
  }

  /** Ends an A/B test by hand: this variant wins, the rest of the target is sent with it. */
  @Post(':id/variants/:key/promote')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignResponse })
  async promote(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Param('key') key: string,
  ): Promise<CampaignResponse> {
    return toCampaignResponse(await this.abTests.promote(ws, id, key));
  }

  /**
   * Sends failed messages again by the retry class of their error: rate limits at once, 131049
   * once and not before 24 h, permanent failures never; never to who opted out or got it.
   */
  @ApiOkResponse({ type: CampaignRetryResponse })
  @Post(':id/retry')
  @HttpCode(200)
  async retry(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: CampaignRetryRequest,
  ): Promise<CampaignRetryResponse> {
    const r = await this.retryFailed.execute(ws, id, body.errorCodes);
    return { ...r, notBefore: r.notBefore?.toISOString() ?? null };
  }

  @Get()
  @ApiOkResponse({ type: CampaignListResponse })
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: CampaignListRequest,
  ): Promise<CampaignListResponse> {
    const r = await this.campaigns.list(ws, q.limit, q.cursor, q.status, q.order);
    return { data: r.data.map(toCampaignResponse), nextCursor: r.nextCursor };
  }

  /** With live counts (kept by the engine, not counted on each call). */
  @Get(':id')
  @ApiOkResponse({ type: CampaignResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<CampaignResponse> {
    return toCampaignResponse(await this.campaigns.get(ws, id));
  }

  /** Before launch: eligible recipients, skips by reason, messaging-limit check, ETA, cost. */
  @Get(':id/plan')
  @ApiOkResponse({ type: CampaignPlanResponse })
  plan(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<CampaignPlanResponse> {
    return this.planner.plan(ws, id);
  }

  /** Sends the rendered message to a few numbers only; the campaign's counts stay untouched. */
  @Post(':id/test')
  @ApiOkResponse({ type: CampaignTestResponse })
  @HttpCode(200)
  async test(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: CampaignTestRequest,
  ): Promise<CampaignTestResponse> {
    return { results: await this.planner.testSend(ws, id, body.phones) };
  }

  /** Now, or at scheduledAt. With an Idempotency-Key a retried launch returns the first answer. */
  @Post(':id/launch')
  @ApiOkResponse({ type: CampaignResponse })
  @HttpCode(200)
  @ApiHeader({ name: 'idempotency-key', required: false })
  async launch(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Headers('idempotency-key') key?: string,
  ): Promise<CampaignResponse> {
    return toCampaignResponse(await this.campaigns.launch(ws, id, key));
  }

  @Post(':id/pause')
  @ApiOkResponse({ type: CampaignResponse })
  @HttpCode(200)
  async pause(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<CampaignResponse> {
    return toCampaignResponse(await this.campaigns.pause(ws, id));
  }

  @Post(':id/resume')
  @ApiOkResponse({ type: CampaignResponse })
  @HttpCode(200)
  async resume(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<CampaignResponse> {
    return toCampaignResponse(await this.campaigns.resume(ws, id));
  }

  @Post(':id/cancel')
  @ApiOkResponse({ type: CampaignResponse })
  @HttpCode(200)
  async cancel(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<CampaignResponse> {
    return toCampaignResponse(await this.campaigns.cancel(ws, id));
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: CampaignMessageListResponse })
  async messages(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Query() q: CampaignMessagesRequest,
  ): Promise<CampaignMessageListResponse> {
    const r = await this.campaigns.messages(ws, id, q.limit, q.cursor, {
      status: q.status,
      errorCode: q.errorCode,
    });
    return { data: r.data.map(toCampaignMessageResponse), nextCursor: r.nextCursor };
  }
}

function toExclusions(x: CampaignExclusionRequest[] | undefined): CampaignExclusion[] {
  return (x ?? []).map((e) =>
    e.audienceId !== undefined
      ? { audienceId: e.audienceId }
      : { segmentId: e.segmentId as string },
  );
}

/** One template and its bindings, or the first variant's (the campaign's own with variants). */
function contentOf(b: {
  templateId?: string;
  parameters?: TemplateParametersRequest;
  variants?: CampaignVariantRequest[];
}): { templateId: string; parameters: TemplateParametersRequest } {
  const first = b.variants?.[0];
  return {
    templateId: b.templateId ?? first?.templateId ?? '',
    parameters: b.parameters ?? first?.parameters ?? {},
  };
}
