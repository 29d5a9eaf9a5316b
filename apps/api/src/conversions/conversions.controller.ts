import { Body, Controller, Get, Headers, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { ConversionsService } from '@app/conversions';
import { Workspace } from '../http/workspace.decorator';
import { AdminOnly } from '../http/admin-only.decorator';
import { AttributionSettingsRequest, ConversionBatchRequest } from './conversion.request';
import { AttributionSettingsResponse, ConversionBatchResponse } from './conversion.response';

@ApiTags('conversions')
@ApiBearerAuth()
@Controller('v1')
export class ConversionsController {
  constructor(private readonly conversions: ConversionsService) {}

  /** Up to 1000 app events; each is validated on its own, deduplicated by eventId and attributed. */
  @Post('conversions')
  @ApiAcceptedResponse({ type: ConversionBatchResponse })
  @HttpCode(202)
  @ApiHeader({ name: 'idempotency-key', required: false })
  async ingest(
    @Workspace() ws: WorkspaceId,
    @Body() body: ConversionBatchRequest,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ConversionBatchResponse> {
    const r = await this.conversions.ingest(ws, body.events, idempotencyKey);
    return {
      accepted: r.accepted,
      duplicates: r.duplicates,
      attributed: r.attributed,
      rejected: r.rejected.map((x) => ({ index: x.index, reason: x.reason })),
    };
  }

  /** The attribution window of this workspace (days before an event a message may claim it). */
  @Get('settings/attribution')
  @ApiOkResponse({ type: AttributionSettingsResponse })
  settings(@Workspace() ws: WorkspaceId): Promise<AttributionSettingsResponse> {
    return this.conversions.settings(ws);
  }

  @Patch('settings/attribution')
  @AdminOnly()
  @ApiOkResponse({ type: AttributionSettingsResponse })
  updateSettings(
    @Workspace() ws: WorkspaceId,
    @Body() body: AttributionSettingsRequest,
  ): Promise<AttributionSettingsResponse> {
    return this.conversions.updateSettings(ws, body.attributionWindowDays);
  }
}
