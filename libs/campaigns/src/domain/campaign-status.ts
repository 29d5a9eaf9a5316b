// The campaign state machine: which action moves a campaign from which status to which. The
// target is always derived here (callers name an action, never a status), so no caller can make
// a move the table forbids.

export const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type CampaignAction =
  'launch' | 'start' | 'pause' | 'resume' | 'finish' | 'cancel' | 'fail' | 'retry';

/** What a move may depend on besides the current status. */
export interface MoveContext {
  scheduledAt: Date | null;
  now: Date;
}

type Target = CampaignStatus | ((c: MoveContext) => CampaignStatus);

/** Launch and resume wait for `scheduledAt` when it is still ahead. */
const whenDue: Target = (c) =>
  c.scheduledAt && c.scheduledAt.getTime() > c.now.getTime() ? 'scheduled' : 'running';

const MOVES: Record<CampaignStatus, Partial<Record<CampaignAction, Target>>> = {
  draft: { launch: whenDue, cancel: 'cancelled' },
  scheduled: { start: 'running', pause: 'paused', cancel: 'cancelled', fail: 'failed' },
  running: { pause: 'paused', finish: 'completed', cancel: 'cancelled', fail: 'failed' },
  paused: { resume: whenDue, cancel: 'cancelled', fail: 'failed' },
  // A retry of failed messages sends again.
  completed: { retry: 'running' },
  cancelled: {},
  failed: {},
};

/** The status `action` leads to from `from`, or null when the action is not allowed there. */
export function nextStatus(
  from: CampaignStatus,
  action: CampaignAction,
  ctx: MoveContext,
): CampaignStatus | null {
  const t = MOVES[from][action];
  if (t === undefined) {
    return null;
  }
  return typeof t === 'function' ? t(ctx) : t;
}

/** The actions a marketer may take (the rest are the engine's own moves). */
export const USER_ACTIONS = ['launch', 'pause', 'resume', 'cancel'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** The marketer's actions the table allows from `status` (what a UI offers as buttons). */
export function userActions(status: CampaignStatus): UserAction[] {
  return USER_ACTIONS.filter((a) => MOVES[status][a] !== undefined);
}

export function isFinal(status: CampaignStatus): boolean {
  return status === 'completed' || status === 'cancelled' || status === 'failed';
}

/** Statuses in which a campaign may still send (its requests are let through the gate). */
export function maySend(status: CampaignStatus): boolean {
  return status === 'running';
}
