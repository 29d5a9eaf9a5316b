import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { BusinessAccountsService } from '@app/accounts';
import type { WorkspaceId } from '@app/common';
import { Workspace } from '../http/workspace.decorator';
import { AdminOnly } from '../http/admin-only.decorator';
import { ListRequest } from '../http/list.request';
import { PhoneNumberUpdateRequest } from './phone-number.request';
import {
  PhoneNumberListResponse,
  PhoneNumberResponse,
  toPhoneNumberResponse,
} from './phone-number.response';

@ApiTags('phone-numbers')
@ApiBearerAuth()
@Controller('v1/phone-numbers')
export class PhoneNumbersController {
  constructor(private readonly accounts: BusinessAccountsService) {}

  @Get()
  @ApiOkResponse({ type: PhoneNumberListResponse })
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: ListRequest,
  ): Promise<PhoneNumberListResponse> {
    const page = await this.accounts.listPhoneNumbers(ws, q.limit, q.cursor);
    return { data: page.data.map(toPhoneNumberResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: PhoneNumberResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<PhoneNumberResponse> {
    return toPhoneNumberResponse(await this.accounts.getPhoneNumber(ws, id));
  }

  /** Overrides what the governor allows for this number. */
  @Patch(':id')
  @AdminOnly()
  @ApiOkResponse({ type: PhoneNumberResponse })
  async update(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: PhoneNumberUpdateRequest,
  ): Promise<PhoneNumberResponse> {
    return toPhoneNumberResponse(await this.accounts.updatePhoneNumber(ws, id, body));
  }
}
