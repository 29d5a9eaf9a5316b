import { ApiProperty } from '@nestjs/swagger';

export class RejectedEventResponse {
  @ApiProperty({ description: 'position of the event in the batch (0-based)' }) index!: number;
  @ApiProperty() reason!: string;
}

export class ConversionBatchResponse {
  @ApiProperty({ description: 'new events stored' }) accepted!: number;
  @ApiProperty({ description: 'events whose eventId was already stored (or repeated)' })
  duplicates!: number;
  @ApiProperty({ description: 'of the accepted, how many were attributed to a campaign message' })
  attributed!: number;
  @ApiProperty({ type: [RejectedEventResponse] }) rejected!: RejectedEventResponse[];
}

export class AttributionSettingsResponse {
  @ApiProperty() attributionWindowDays!: number;
}
