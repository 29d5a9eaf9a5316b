import { ApiProperty } from '@nestjs/swagger';
import type { ContactRecord } from '@app/audiences';
import type { SegmentCount, SegmentRecord } from '@app/segments';
import { ContactResponse, toContactResponse } from '../contacts/contact.response';

export class SegmentResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) filter!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SegmentListResponse {
  @ApiProperty({ type: [SegmentResponse] }) data!: SegmentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class SegmentCountResponse {
  @ApiProperty({ description: 'contacts the filter matches now' }) count!: number;
  @ApiProperty({ description: 'of them: opted in, not a US number, not held by the frequency cap' })
  eligible!: number;
  @ApiProperty({ type: [ContactResponse], description: 'up to 20, newest first' })
  samples!: ContactResponse[];
  @ApiProperty() computedAt!: string;
}

export function toSegmentResponse(s: SegmentRecord): SegmentResponse {
  return {
    id: s.id,
    name: s.name,
    filter: s.filter,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toSegmentCountResponse(
  c: SegmentCount,
  samples: ContactRecord[],
): SegmentCountResponse {
  return {
    count: c.count,
    eligible: c.eligible,
    samples: samples.map(toContactResponse),
    computedAt: c.computedAt.toISOString(),
  };
}
