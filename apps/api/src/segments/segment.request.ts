import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, Length } from 'class-validator';
import { AbsentOr } from '../http/absent-or';
import { ListRequest } from '../http/list.request';

const FILTER_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    'A filter tree: { all: [...] }, { any: [...] }, { not: {...} }, { field, op, value }, { audience }, { campaign, outcome }, { messaged: { withinDays } }, { converted: { eventName?, withinDays } } — see the README',
  example: {
    all: [
      { field: 'attributes.tier', op: 'eq', value: 'gold' },
      { field: 'consent', op: 'eq', value: 'opted_in' },
      { field: 'countryCode', op: 'in', value: ['55', '52'] },
    ],
  },
} as const;

/** The tree itself is checked by the segments library, which names the path of each bad node. */
export class SegmentCreateRequest {
  @ApiProperty({ example: 'Gold customers in Brazil and Mexico' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty(FILTER_DOC)
  @IsDefined()
  filter!: unknown;
}

export class SegmentUpdateRequest {
  @ApiPropertyOptional() @AbsentOr() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional(FILTER_DOC) @AbsentOr() filter?: unknown;
}

export class SegmentPreviewRequest {
  @ApiProperty(FILTER_DOC)
  @IsDefined()
  filter!: unknown;
}

export class SegmentListRequest extends ListRequest {}
