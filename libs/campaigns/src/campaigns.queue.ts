/** Queue, job names and job data of campaign work (one place, so a move to BullMQ is local). */
export const CAMPAIGNS_QUEUE = 'campaigns';

/** Snapshots a running campaign's audience into its messages (once). */
export const TARGET_JOB = 'target';
/** One send lane of a running campaign: runs until nothing is due; the tick starts it again. */
export const LANE_JOB = 'lane';

export interface TargetData {
  v: 1;
  campaignId: string;
}

export interface LaneData {
  v: 1;
  campaignId: string;
  lane: number;
}

export const laneJobId = (campaignId: string, lane: number): string => `lane:${campaignId}:${lane}`;
export const targetJobId = (campaignId: string): string => `target:${campaignId}`;
