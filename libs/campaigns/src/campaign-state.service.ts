import { Injectable, Logger } from '@nestjs/common';
import { CampaignsRepository } from './campaigns.repository';
import type { CampaignStatus } from './domain/campaign-status';

const STATUS_TTL_MS = 250;

/**
 * Fast, shared answers to "is this campaign still running?" for the send loops (re-read from
 * Postgres at most every 250 ms, so a pause stops new sends within a second), and the state
 * changes the sender itself decides (pause or fail with a reason).
 */
@Injectable()
export class CampaignStateService {
  private readonly logger = new Logger(CampaignStateService.name);
  private readonly cache = new Map<string, { status: CampaignStatus | null; at: number }>();

  constructor(private readonly campaigns: CampaignsRepository) {}

  async isRunning(id: string): Promise<boolean> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < STATUS_TTL_MS) {
      return hit.status === 'running';
    }
    const status = await this.campaigns.status(id);
    this.cache.set(id, { status, at: Date.now() });
    if (this.cache.size > 10_000) {
      this.cache.clear();
    }
    return status === 'running';
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  async pauseForReason(id: string, reason: string): Promise<void> {
    if (await this.campaigns.transition(id, 'pause', 'paused', reason)) {
      this.logger.warn({ message: 'campaign paused', campaignId: id, reason });
    }
    this.forget(id);
  }

  async failForReason(id: string, reason: string): Promise<void> {
    if (await this.campaigns.transition(id, 'fail', 'failed', reason)) {
      this.logger.warn({ message: 'campaign failed', campaignId: id, reason });
    }
    this.forget(id);
  }
}
