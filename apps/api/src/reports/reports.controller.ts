import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { ReportsService } from '@app/reports';
import { Workspace } from '../http/workspace.decorator';
import { OverviewRequest } from './report.request';
import { toWorkspaceOverviewResponse, WorkspaceOverviewResponse } from './report.response';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Totals of the campaigns started in [from, to), overall and per template. */
  @Get('overview')
  @ApiOkResponse({ type: WorkspaceOverviewResponse })
  async overview(
    @Workspace() ws: WorkspaceId,
    @Query() q: OverviewRequest,
  ): Promise<WorkspaceOverviewResponse> {
    return toWorkspaceOverviewResponse(await this.reports.overview(ws, q.from, q.to));
  }
}
