import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { WorkspaceId } from '@app/common';
import { ReportsService } from '@app/reports';
import { Workspace } from '../http/workspace.decorator';
import { CampaignReportResponse, toCampaignReportResponse } from './report.response';

/** The report and export routes of a campaign (same prefix as CampaignsController). */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/campaigns')
export class CampaignReportController {
  constructor(private readonly reports: ReportsService) {}

  /** Funnel, failures by code, conversions, spend, hourly series and MM Lite benchmarks. */
  @Get(':id/report')
  @ApiOkResponse({ type: CampaignReportResponse })
  async report(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
  ): Promise<CampaignReportResponse> {
    return toCampaignReportResponse(await this.reports.campaignReport(ws, id));
  }

  /** Every recipient's outcome, streamed (constant memory whatever the campaign's size). */
  @Get(':id/messages.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row; formula-like cells are escaped' })
  async exportCsv(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.reports.assertCampaign(ws, id);
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="campaign-${id}-messages.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(this.reports.exportCsv(id)));
  }
}
