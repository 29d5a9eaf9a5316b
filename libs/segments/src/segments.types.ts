import type { WorkspaceId } from '@app/common';
import type { FilterNode } from './domain/segment-filter';

export interface SegmentRecord {
  id: string;
  workspaceId: WorkspaceId;
  name: string;
  filter: FilterNode;
  createdAt: Date;
  updatedAt: Date;
}

/** At most `maxMessages` marketing messages per contact in any `perDays` days (per workspace). */
export interface FrequencyCap {
  maxMessages: number;
  perDays: number;
}

/** What a filter matches now: all of it, what a campaign could send to, and a few examples. */
export interface SegmentCount {
  count: number;
  /** Opted in, not a US number, not held by the frequency cap. */
  eligible: number;
  sampleContactIds: string[];
  computedAt: Date;
}

/** A campaign's target as its creator gave it (exactly one of the first three), plus exclusions. */
export interface TargetSpec {
  audienceId?: string | null;
  segmentId?: string | null;
  followUp?: { campaignId: string; outcome: string } | null;
  exclude?: ReadonlyArray<{ audienceId?: string; segmentId?: string }>;
}
