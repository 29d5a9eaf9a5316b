import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { AudiencesService } from '@app/audiences';
import { Workspace } from '../http/workspace.decorator';
import { ListRequest } from '../http/list.request';
import { AudienceCreateRequest, AudienceMembersRequest } from './audience.request';
import {
  AudienceListResponse,
  AudienceResponse,
  MemberListResponse,
  MembersChangeResponse,
  toAudienceResponse,
  toMemberResponse,
  toMembersChangeResponse,
} from './audience.response';

@ApiTags('audiences')
@ApiBearerAuth()
@Controller('v1/audiences')
export class AudiencesController {
  constructor(private readonly audiences: AudiencesService) {}

  @Post()
  @ApiCreatedResponse({ type: AudienceResponse })
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: AudienceCreateRequest,
  ): Promise<AudienceResponse> {
    return toAudienceResponse(await this.audiences.create(ws, body.name, body.description));
  }

  @Get()
  @ApiOkResponse({ type: AudienceListResponse })
  async list(@Workspace() ws: WorkspaceId, @Query() q: ListRequest): Promise<AudienceListResponse> {
    const page = await this.audiences.list(ws, q.limit, q.cursor);
    return { data: page.data.map(toAudienceResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: AudienceResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<AudienceResponse> {
    return toAudienceResponse(await this.audiences.get(ws, id));
  }

  @Post(':id/members')
  @ApiCreatedResponse({ type: MembersChangeResponse })
  async addMembers(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: AudienceMembersRequest,
  ): Promise<MembersChangeResponse> {
    return toMembersChangeResponse(await this.audiences.addMembers(ws, id, body));
  }

  @Delete(':id/members')
  @ApiOkResponse({ type: MembersChangeResponse })
  async removeMembers(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: AudienceMembersRequest,
  ): Promise<MembersChangeResponse> {
    return toMembersChangeResponse(await this.audiences.removeMembers(ws, id, body));
  }

  @Get(':id/members')
  @ApiOkResponse({ type: MemberListResponse })
  async members(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Query() q: ListRequest,
  ): Promise<MemberListResponse> {
    const page = await this.audiences.members(ws, id, q.limit, q.cursor);
    return { data: page.data.map(toMemberResponse), nextCursor: page.nextCursor };
  }
}
