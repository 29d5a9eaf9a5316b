import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Tx } from '@app/db';
import { REDIS } from '@app/redis';
import { CampaignsRepository } from './campaigns.repository';
import { maySend, type CampaignAction, type CampaignStatus } from './domain/campaign-status';
import type { CampaignRecord } from './campaigns.types';

const STATUS_TTL_MS = 250;
/** A stop fence outlives any batch that could still be waiting for a slot. */
const STOP_KEEP_MS = 7 * 86_400_000;

/** The key every sender checks right before a request of this campaign leaves. */
export function campaignStopKey(redisPrefix: string, campaignId: string): string {
  return `${redisPrefix}:fence:campaign-stop:${campaignId}`;
}

/**
 * Every campaign state change goes through `move`: the state machine in Postgres, then the stop
 * fence in Redis that senders check per request (set for every status that may not send, cleared
 * when it runs again), so a pause or cancel bites on the next request after the caller's answer,
 * not on the next batch. Also a short cache of "still running?" for the send loops.
 */
@Injectable()
export class CampaignStateService {
  private readonly logger = new Logger(CampaignStateService.name);
  private readonly cache = new Map<string, { status: CampaignStatus | null; at: number }>();

  constructor(
    private readonly campaigns: CampaignsRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  stopKey(campaignId: string): string {
    return campaignStopKey(this.config.redisPrefix, campaignId);
  }

  /**
   * Moves a campaign (target from the state machine) and sets its stop fence to match. Inside a
   * caller's transaction, a move that stops sending fences at once (before the commit: a fence
   * too early only holds requests back) and one that resumes lifts it only after the commit.
   */
  async move(
    id: string,
    action: CampaignAction,
    reason: string | null = null,
    tx?: Tx,
    /** With `pause`: a hold, lifted by the campaigns tick at this time. */
    resumeAt: Date | null = null,
  ): Promise<CampaignRecord | null> {
    const moved = await this.campaigns.transition(
      id,
      action,
      reason,
      this.clock.now(),
      tx,
      resumeAt,
    );
    this.cache.delete(id);
    if (!moved) {
      return null;
    }
    if (!maySend(moved.status)) {
      await this.redis.set(this.stopKey(id), moved.status, 'PX', STOP_KEEP_MS);
    } else if (tx) {
      tx.onCommit(() => this.redis.del(this.stopKey(id)));
    } else {
      await this.redis.del(this.stopKey(id));
    }
    if (reason && reason !== 'paused_by_user' && reason !== 'cancelled_by_user') {
      this.logger.warn({ message: `campaign ${moved.status}`, campaignId: id, reason });
    }
    return moved;
  }

  async isRunning(id: string): Promise<boolean> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < STATUS_TTL_MS) {
      return hit.status === 'running';
    }
    const status = await this.campaigns.status(id);
    this.cache.set(id, { status, at: now });
    if (this.cache.size > 10_000) {
      this.cache.clear();
    }
    return status === 'running';
  }
}
