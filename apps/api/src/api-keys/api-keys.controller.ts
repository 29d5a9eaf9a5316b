import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from '@app/accounts';
import type { WorkspaceId } from '@app/common';
import { Workspace } from '../http/workspace.decorator';
import { AdminOnly } from '../http/admin-only.decorator';
import { ListRequest } from '../http/list.request';
import { ApiKeyCreateRequest } from './api-key.request';
import {
  ApiKeyCreatedResponse,
  ApiKeyListResponse,
  ApiKeyResponse,
  toApiKeyCreatedResponse,
  toApiKeyResponse,
} from './api-key.response';

@ApiTags('api-keys')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key in the caller's workspace; the secret is in this answer only. */
  @Post()
  @ApiCreatedResponse({ type: ApiKeyCreatedResponse })
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: ApiKeyCreateRequest,
  ): Promise<ApiKeyCreatedResponse> {
    return toApiKeyCreatedResponse(await this.keys.create(ws, body.name, body.role));
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyListResponse })
  async list(@Workspace() ws: WorkspaceId, @Query() q: ListRequest): Promise<ApiKeyListResponse> {
    const page = await this.keys.list(ws, q.limit, q.cursor);
    return { data: page.data.map(toApiKeyResponse), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @ApiOkResponse({ type: ApiKeyResponse })
  async revoke(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.keys.revoke(ws, id));
  }
}
