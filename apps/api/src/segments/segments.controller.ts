import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ContactsService } from '@app/audiences';
import type { WorkspaceId } from '@app/common';
import { SegmentsService, type SegmentCount } from '@app/segments';
import { Workspace } from '../http/workspace.decorator';
import {
  SegmentCreateRequest,
  SegmentListRequest,
  SegmentPreviewRequest,
  SegmentUpdateRequest,
} from './segment.request';
import {
  SegmentCountResponse,
  SegmentListResponse,
  SegmentResponse,
  toSegmentCountResponse,
  toSegmentResponse,
} from './segment.response';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly contacts: ContactsService,
  ) {}

  /** Validated on write: a bad node answers 400 with its path. */
  @ApiCreatedResponse({ type: SegmentResponse })
  @Post()
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: SegmentCreateRequest,
  ): Promise<SegmentResponse> {
    return toSegmentResponse(await this.segments.create(ws, body));
  }

  @ApiOkResponse({ type: SegmentListResponse })
  @Get()
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: SegmentListRequest,
  ): Promise<SegmentListResponse> {
    const r = await this.segments.list(ws, q.limit, q.cursor);
    return { data: r.data.map(toSegmentResponse), nextCursor: r.nextCursor };
  }

  /** What a filter matches now, without storing it. */
  @ApiOkResponse({ type: SegmentCountResponse })
  @Post('preview')
  @HttpCode(200)
  async preview(
    @Workspace() ws: WorkspaceId,
    @Body() body: SegmentPreviewRequest,
  ): Promise<SegmentCountResponse> {
    return this.withSamples(ws, await this.segments.preview(ws, body.filter));
  }

  @ApiOkResponse({ type: SegmentResponse })
  @Get(':id')
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<SegmentResponse> {
    return toSegmentResponse(await this.segments.get(ws, id));
  }

  @ApiOkResponse({ type: SegmentCountResponse })
  @Get(':id/count')
  async count(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
  ): Promise<SegmentCountResponse> {
    return this.withSamples(ws, await this.segments.count(ws, id));
  }

  @ApiOkResponse({ type: SegmentResponse })
  @Patch(':id')
  async update(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: SegmentUpdateRequest,
  ): Promise<SegmentResponse> {
    return toSegmentResponse(await this.segments.update(ws, id, body));
  }

  /** 409 while a campaign that is not finished targets or excludes it. */
  @Delete(':id')
  @HttpCode(204)
  async delete(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<void> {
    await this.segments.delete(ws, id);
  }

  private async withSamples(ws: WorkspaceId, c: SegmentCount): Promise<SegmentCountResponse> {
    return toSegmentCountResponse(c, await this.contacts.byIds(ws, c.sampleContactIds));
  }
}
