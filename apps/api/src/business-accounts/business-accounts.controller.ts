import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { BusinessAccountsService } from '@app/accounts';
import type { WorkspaceId } from '@app/common';
import { Workspace } from '../http/workspace.decorator';
import { AdminOnly } from '../http/admin-only.decorator';
import { ListRequest } from '../http/list.request';
import { BusinessAccountCreateRequest } from './business-account.request';
import {
  BusinessAccountListResponse,
  BusinessAccountResponse,
  toBusinessAccountResponse,
} from './business-account.response';

@ApiTags('business-accounts')
@ApiBearerAuth()
@Controller('v1/business-accounts')
export class BusinessAccountsController {
  constructor(private readonly accounts: BusinessAccountsService) {}

  /** Stores the account (token encrypted) with the phone numbers the Graph API lists for it. */
  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: BusinessAccountResponse })
  async register(
    @Workspace() ws: WorkspaceId,
    @Body() body: BusinessAccountCreateRequest,
  ): Promise<BusinessAccountResponse> {
    return toBusinessAccountResponse(await this.accounts.register(ws, body));
  }

  @Get()
  @ApiOkResponse({ type: BusinessAccountListResponse })
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: ListRequest,
  ): Promise<BusinessAccountListResponse> {
    const page = await this.accounts.list(ws, q.limit, q.cursor);
    return { data: page.data.map(toBusinessAccountResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: BusinessAccountResponse })
  async get(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
  ): Promise<BusinessAccountResponse> {
    return toBusinessAccountResponse(await this.accounts.get(ws, id));
  }
}
