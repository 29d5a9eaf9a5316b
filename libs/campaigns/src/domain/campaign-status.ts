export type CampaignStatus =
  'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

export type CampaignAction =
  'schedule' | 'start' | 'pause' | 'resume' | 'finish' | 'cancel' | 'fail';

const MOVES: Record<CampaignStatus, Partial<Record<CampaignAction, CampaignStatus>>> = {
  draft: { schedule: 'scheduled', start: 'running', cancel: 'cancelled' },
  scheduled: { start: 'running', pause: 'paused', cancel: 'cancelled', fail: 'failed' },
  running: { pause: 'paused', finish: 'completed', cancel: 'cancelled', fail: 'failed' },
  paused: { resume: 'running', cancel: 'cancelled', fail: 'failed' },
  completed: {},
  cancelled: {},
  failed: {},
};

/** The next status, or null when the action is not allowed from `from`. */
export function nextStatus(from: CampaignStatus, action: CampaignAction): CampaignStatus | null {
  return MOVES[from][action] ?? null;
}

/** Statuses from which `action` is allowed (for atomic `UPDATE … WHERE status IN (…)`). */
export function statusesAllowing(action: CampaignAction): CampaignStatus[] {
  return (Object.keys(MOVES) as CampaignStatus[]).filter((s) => MOVES[s][action] !== undefined);
}

export function isFinal(status: CampaignStatus): boolean {
  return status === 'completed' || status === 'cancelled' || status === 'failed';
}

/** A paused campaign that was scheduled resumes into running only once its time has come. */
export function resumeTarget(scheduledAt: Date | null, now: Date): CampaignStatus {
  return scheduledAt && scheduledAt.getTime() > now.getTime() ? 'scheduled' : 'running';
}
