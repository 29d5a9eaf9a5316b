import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CAMPAIGN_STATUSES, MESSAGE_STATUSES } from '@app/campaigns';
import { TemplateParametersRequest } from '../templates/template.request';
import { ListRequest } from '../http/list.request';
import { IsoDate } from '../http/iso-date';
import { AbsentOr } from '../http/absent-or';

export class SendWindowRequest {
  @ApiProperty({ example: '09:00' }) @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) start!: string;
  @ApiProperty({ example: '20:00' }) @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) end!: string;
  @ApiProperty({ example: 'America/Sao_Paulo', description: "The campaign's time zone" })
  @IsString()
  @MaxLength(64)
  timezone!: string;
  @ApiPropertyOptional({ description: "Use each contact's own time zone when it has one" })
  @AbsentOr()
  @IsBoolean()
  perContactTimezone?: boolean;
}

export class CampaignCreateRequest {
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiProperty() @IsUUID() templateId!: string;
  @ApiProperty() @IsUUID() audienceId!: string;
  @ApiProperty({ description: 'Our id of the phone number (GET /v1/phone-numbers)' })
  @IsUUID()
  phoneNumberId!: string;

  @ApiProperty({
    type: TemplateParametersRequest,
    example: {
      body: ['{{contact.attributes.firstName}}', '20%'],
      buttons: [{ index: 0, text: '{{contact.attributes.couponCode}}' }],
    },
  })
  @ValidateNested()
  @Type(() => TemplateParametersRequest)
  parameters!: TemplateParametersRequest;

  @ApiPropertyOptional({ description: 'Launch sends at this time (ISO-8601)' })
  @AbsentOr()
  @IsoDate()
  scheduledAt?: Date;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    description: "Lower than the number's limit to send slower",
  })
  @AbsentOr()
  @IsInt()
  @Min(1)
  @Max(1000)
  throughputMps?: number;

  @ApiPropertyOptional({ type: SendWindowRequest })
  @AbsentOr()
  @ValidateNested()
  @Type(() => SendWindowRequest)
  sendWindow?: SendWindowRequest;

  @ApiPropertyOptional({
    enum: ['send', 'fail'],
    default: 'send',
    description: 'If the schedule was missed (engine down)',
  })
  @AbsentOr()
  @IsIn(['send', 'fail'])
  latePolicy?: 'send' | 'fail';
}

export class CampaignTestRequest {
  @ApiProperty({ example: ['+5511912345678'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  phones!: string[];
}

export class CampaignListRequest extends ListRequest {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @AbsentOr()
  @IsIn(CAMPAIGN_STATUSES)
  status?: (typeof CAMPAIGN_STATUSES)[number];

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'asc',
    description: 'by creation time: oldest first (asc) or newest first (desc)',
  })
  @AbsentOr()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class CampaignMessagesRequest extends ListRequest {
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @AbsentOr()
  @IsIn(MESSAGE_STATUSES)
  status?: (typeof MESSAGE_STATUSES)[number];

  @ApiPropertyOptional({
    type: Number,
    description:
      "Failed messages with this Meta error code (0: failed without a code), as in the report's failures",
  })
  @AbsentOr()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  errorCode?: number;
}
