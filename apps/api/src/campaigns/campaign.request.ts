import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CAMPAIGN_STATUSES, MESSAGE_STATUSES } from '@app/campaigns';
import { TemplateParametersRequest } from '../templates/template.request';
import { ListRequest } from '../http/list.request';
import { IsoDate } from '../http/iso-date';
import { AbsentOr } from '../http/absent-or';
import { ExactlyOneOf } from '../http/exactly-one-of';
import { CAMPAIGN_OUTCOMES, type CampaignOutcome } from '@app/segments';
import { AB_METRICS, PRODUCT_POLICIES, type AbMetric, type ProductPolicy } from '@app/campaigns';

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

/** Leave out the contacts of an audience or a segment (exactly one of the two). */
export class CampaignExclusionRequest {
  @ApiPropertyOptional()
  @ValidateIf(
    (o: CampaignExclusionRequest) => o.audienceId !== undefined || o.segmentId === undefined,
  )
  @IsUUID()
  @ExactlyOneOf(['audienceId', 'segmentId'])
  audienceId?: string;
  @ApiPropertyOptional() @AbsentOr() @IsUUID() segmentId?: string;
}

/** One message of an A/B test: its template, bindings and share of the test. */
export class CampaignVariantRequest {
  @ApiProperty({ example: 'a', description: 'letters, digits, _ or -; up to 32' })
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  key!: string;
  @ApiProperty() @IsUUID() templateId!: string;
  @ApiProperty({ type: TemplateParametersRequest })
  @IsObject()
  @ValidateNested()
  @Type(() => TemplateParametersRequest)
  parameters!: TemplateParametersRequest;
  @ApiProperty({
    minimum: 1,
    maximum: 100,
    description: 'share of the test, relative to the others',
  })
  @IsInt()
  @Min(1)
  @Max(100)
  weight!: number;
}

export class AbTestRequest {
  @ApiProperty({
    minimum: 1,
    maximum: 100,
    description:
      'share of the eligible target split between the variants; the rest gets the winner',
  })
  @IsInt()
  @Min(1)
  @Max(100)
  testPercent!: number;
  @ApiProperty({ enum: AB_METRICS }) @IsIn(AB_METRICS) metric!: AbMetric;
  @ApiProperty({ minimum: 1, maximum: 10080 })
  @IsInt()
  @Min(1)
  @Max(10080)
  decideAfterMinutes!: number;
  @ApiProperty({
    minimum: 1,
    maximum: 1000000,
    description: 'delivered messages each variant needs before the winner is decided',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  minPerVariant!: number;
}

const withoutVariants = (o: { variants?: unknown }): boolean => o.variants === undefined;

/** What every campaign is made of, whatever it targets. */
class CampaignSettingsRequest {
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ description: 'the template (or variants)' })
  @ValidateIf(
    (o: CampaignSettingsRequest) => o.templateId !== undefined || o.variants === undefined,
  )
  @IsUUID()
  @ExactlyOneOf(['templateId', 'variants'])
  templateId?: string;

  @ApiPropertyOptional({
    type: [CampaignVariantRequest],
    description: 'an A/B test: 2–5 variants instead of one templateId and parameters',
  })
  @AbsentOr()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => CampaignVariantRequest)
  variants?: CampaignVariantRequest[];

  @ApiPropertyOptional({ type: AbTestRequest })
  @AbsentOr()
  @ValidateNested()
  @Type(() => AbTestRequest)
  abTest?: AbTestRequest;

  @ApiPropertyOptional({
    type: [CampaignExclusionRequest],
    description: 'audiences or segments whose contacts are left out of the target (up to 20)',
  })
  @AbsentOr()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CampaignExclusionRequest)
  exclude?: CampaignExclusionRequest[];

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 50,
    default: 0,
    description:
      'share of the eligible target kept out as a control group (reproducible per contact)',
  })
  @AbsentOr()
  @IsInt()
  @Min(0)
  @Max(50)
  holdoutPercent?: number;

  // Optional in the document as in the validation: variants carry their own parameters.
  @ApiPropertyOptional({
    type: TemplateParametersRequest,
    description: 'the values of the template (required without variants)',
    example: {
      body: ['{{contact.attributes.firstName}}', '20%'],
      buttons: [{ index: 0, text: '{{contact.attributes.couponCode}}' }],
    },
  })
  // ValidateNested alone lets a missing object through (then rendering fails with a 500).
  @ValidateIf(withoutVariants)
  @IsObject()
  @ValidateNested()
  @Type(() => TemplateParametersRequest)
  parameters?: TemplateParametersRequest;

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

export class CampaignCreateRequest extends CampaignSettingsRequest {
  @ApiPropertyOptional({
    enum: PRODUCT_POLICIES,
    default: 'STRICT',
    description:
      "MM API's product_policy: STRICT fails (the campaign pauses with reason mm_unavailable) when the WABA is not onboarded to Marketing Messages; CLOUD_API_FALLBACK lets Meta send through Cloud API instead (counted as fell back in the report)",
  })
  @AbsentOr()
  @IsIn(PRODUCT_POLICIES)
  productPolicy?: ProductPolicy;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    default: null,
    description:
      "message_activity_sharing sent with each marketing message; null (default) sends none, so the WABA's setting applies",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoolean()
  messageActivitySharing?: boolean | null;

  @ApiPropertyOptional({ description: 'the target: an audience (or segmentId)' })
  @ValidateIf((o: CampaignCreateRequest) => o.audienceId !== undefined || o.segmentId === undefined)
  @IsUUID()
  @ExactlyOneOf(['audienceId', 'segmentId'])
  audienceId?: string;

  @ApiPropertyOptional({ description: 'the target: a segment, resolved when the campaign starts' })
  @AbsentOr()
  @IsUUID()
  segmentId?: string;

  @ApiProperty({ description: 'Our id of the phone number (GET /v1/phone-numbers)' })
  @IsUUID()
  phoneNumberId!: string;
}

export class CampaignFollowUpRequest extends CampaignSettingsRequest {
  @ApiProperty({
    enum: CAMPAIGN_OUTCOMES,
    description: "the parent's recipients with this outcome (resolved when the follow-up starts)",
  })
  @IsIn(CAMPAIGN_OUTCOMES)
  outcome!: CampaignOutcome;

  @ApiPropertyOptional({ description: "Our id of the phone number; default: the parent's" })
  @AbsentOr()
  @IsUUID()
  phoneNumberId?: string;
}

export class CampaignRetryRequest {
  @ApiPropertyOptional({
    type: [Number],
    description: 'only failures with these Meta error codes (default: every retryable one)',
    example: [130429, 131049],
  })
  @AbsentOr()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  errorCodes?: number[];
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
