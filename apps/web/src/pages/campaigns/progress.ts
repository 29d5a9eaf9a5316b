import type { CampaignCounts } from '../../api/types';

/**
 * How far a campaign has got: recipients it is done with (skipped, sent or failed) out of those
 * targeted. Queued and sending ones are still to come.
 */
export function campaignProgress(c: CampaignCounts): { done: number; total: number } {
  return { done: c.skipped + c.sent + c.failed, total: c.targeted };
}
