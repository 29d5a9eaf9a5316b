/** Queue, job names and job data of campaign work (one place, so a move to BullMQ is local). */
export const CAMPAIGNS_QUEUE = 'campaigns';

export const TARGET_JOB = 'target';
export const LANE_JOB = 'lane';
export const START_JOB = 'start';

export interface TargetData {
  v: 1;
  campaignId: string;
}

export interface LaneData {
  v: 1;
  campaignId: string;
  lane: number;
}

export interface StartData {
  v: 1;
  campaignId: string;
}

export const laneJobId = (campaignId: string, lane: number): string => `lane:${campaignId}:${lane}`;
export const targetJobId = (campaignId: string): string => `target:${campaignId}`;
export const startJobId = (campaignId: string, at: Date): string =>
  `start:${campaignId}:${at.getTime()}`;
