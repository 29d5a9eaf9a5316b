import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, Max, Min } from 'class-validator';

/** One event (documentation only: events are checked one by one, so one bad event rejects only itself). */
export class ConversionEventRequest {
  @ApiProperty({ description: 'your id of the event; a resent id counts once', maxLength: 200 })
  eventId!: string;
  @ApiProperty({
    description:
      'add_to_cart, checkout_initiated, purchase, or a custom name ([A-Za-z][A-Za-z0-9_]{0,63})',
    example: 'purchase',
  })
  eventName!: string;
  @ApiPropertyOptional({
    description: 'one of phone, contactId or wamid',
    example: '+5511912345678',
  })
  phone?: string;
  @ApiPropertyOptional({ description: 'one of phone, contactId or wamid' }) contactId?: string;
  @ApiPropertyOptional({ description: 'one of phone, contactId or wamid: a message we sent' })
  wamid?: string;
  @ApiPropertyOptional({ description: 'required for purchase; ≥ 0' }) value?: number;
  @ApiPropertyOptional({ description: 'ISO-4217, required with value', example: 'BRL' })
  currency?: string;
  @ApiProperty({ description: 'ISO-8601 with time zone', example: '2030-01-01T12:00:00Z' })
  occurredAt!: string;
}

export class ConversionBatchRequest {
  @ApiProperty({ type: [ConversionEventRequest], maxItems: 1000 })
  @IsArray()
  @ArrayMaxSize(1000)
  events!: unknown[];
}

export class AttributionSettingsRequest {
  @ApiProperty({ minimum: 1, maximum: 90, description: 'default 7' })
  @IsInt()
  @Min(1)
  @Max(90)
  attributionWindowDays!: number;
}
