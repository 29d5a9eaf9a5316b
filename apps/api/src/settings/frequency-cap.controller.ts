import { Body, Controller, Get, Patch } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { WorkspaceId } from '@app/common';
import { SegmentsService, type FrequencyCap } from '@app/segments';
import { Workspace } from '../http/workspace.decorator';
import { validPlain } from '../http/validation';
import { AdminOnly } from '../http/admin-only.decorator';
import { NullableBody } from '../http/input-policy';

export class FrequencyCapRequest {
  @ApiProperty({ minimum: 1, maximum: 1000, example: 1 })
  @IsInt()
  @Min(1)
  @Max(1000)
  maxMessages!: number;
  @ApiProperty({ minimum: 1, maximum: 365, example: 7 })
  @IsInt()
  @Min(1)
  @Max(365)
  perDays!: number;
}

export class FrequencyCapResponse {
  @ApiProperty() maxMessages!: number;
  @ApiProperty() perDays!: number;
}

/**
 * No contact receives more than `maxMessages` marketing messages from this workspace in any
 * rolling `perDays` days, across all campaigns and workers (checked atomically at send time).
 * The body `null` removes the cap.
 */
@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings/frequency-cap')
export class FrequencyCapController {
  constructor(private readonly segments: SegmentsService) {}

  @ApiOkResponse({ type: FrequencyCapResponse, description: 'null: no cap' })
  @Get()
  get(@Workspace() ws: WorkspaceId): Promise<FrequencyCap | null> {
    return this.segments.frequencyCap(ws);
  }

  @ApiOkResponse({ type: FrequencyCapResponse, description: 'null: no cap' })
  @Patch()
  @AdminOnly()
  @NullableBody()
  @ApiExtraModels(FrequencyCapRequest)
  @ApiBody({
    schema: { allOf: [{ $ref: getSchemaPath(FrequencyCapRequest) }], nullable: true },
    description: 'or null to remove the cap',
  })
  async set(@Workspace() ws: WorkspaceId, @Body() body: unknown): Promise<FrequencyCap | null> {
    // `null` is a valid body here, which the global pipe would turn into {}: validated by hand.
    if (body === null) {
      return this.segments.setFrequencyCap(ws, null);
    }
    const cap = await validPlain(FrequencyCapRequest, body);
    return this.segments.setFrequencyCap(ws, {
      maxMessages: cap.maxMessages,
      perDays: cap.perDays,
    });
  }
}
