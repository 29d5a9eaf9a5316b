import { DomainError } from '@app/common';
import type { FilterProblem } from './domain/segment-filter';

export type SegmentsErrorCode = 'SEGMENT_NOT_FOUND' | 'SEGMENT_INVALID' | 'SEGMENT_IN_USE';

export class SegmentNotFoundError extends DomainError<SegmentsErrorCode> {
  readonly code = 'SEGMENT_NOT_FOUND';
  constructor(id: string) {
    super(`segment ${id} not found`);
  }
}

/** A filter (or name) that cannot be stored: each problem names the node's path. */
export class SegmentInvalidError extends DomainError<SegmentsErrorCode> {
  readonly code = 'SEGMENT_INVALID';
  constructor(problems: readonly FilterProblem[]) {
    super(
      `filter is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems.map((p) => ({ field: p.path, problems: [p.message] })),
    );
  }
}

export class SegmentInUseError extends DomainError<SegmentsErrorCode> {
  readonly code = 'SEGMENT_IN_USE';
  constructor(id: string, campaigns: number) {
    super(
      `segment ${id} is the target or an exclusion of ${campaigns} campaign(s) not finished yet`,
    );
  }
}
