import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '@app/accounts';
import type { WorkspaceId } from '@app/common';
import { AdminOnly } from '../http/admin-only.decorator';
import { ListRequest } from '../http/list.request';
import { Workspace } from '../http/workspace.decorator';
import { AuditLogResponse, toAuditEntryResponse } from './audit-log.response';

@ApiTags('audit-log')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  /** Every mutating call of this workspace's keys, with its outcome; newest first. */
  @ApiOkResponse({ type: AuditLogResponse })
  @Get()
  async list(@Workspace() ws: WorkspaceId, @Query() q: ListRequest): Promise<AuditLogResponse> {
    const page = await this.audit.list(ws, q.limit, q.cursor);
    return { data: page.data.map(toAuditEntryResponse), nextCursor: page.nextCursor };
  }
}
