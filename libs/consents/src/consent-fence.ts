import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, type Clock, type WorkspaceId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';

/** Long enough for any opt-out to have reached the ledger that every claim reads. */
const FENCE_KEEP_MS = 24 * 3600 * 1000;

/** The fence key of a workspace: a sorted set of E.164 phones, scored by when they opted out. */
export function consentFenceKey(redisPrefix: string, ws: string): string {
  return `${redisPrefix}:fence:optout:${ws}`;
}

/**
 * Opt-outs in a fast shared set, written before an opt-out is answered (the API's 201, the
 * webhook's 200), and read by every sender right before each request leaves. The ledger in
 * Postgres stays the truth; the fence only closes the gap between the answer and the moment a
 * sender's last look at the ledger (its claim) could have seen it. An opt-in takes its phone out.
 */
@Injectable()
export class ConsentFence {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.prefix = config.redisPrefix;
  }

  key(ws: string): string {
    return consentFenceKey(this.prefix, ws);
  }

  async optedOut(ws: WorkspaceId | string, phones: readonly string[]): Promise<void> {
    if (phones.length === 0) {
      return;
    }
    const now = this.clock.now().getTime();
    const args = phones.flatMap((p) => [now, p]);
    await this.redis
      .multi()
      .zadd(this.key(ws), ...args)
      .zremrangebyscore(this.key(ws), '-inf', now - FENCE_KEEP_MS)
      .pexpire(this.key(ws), FENCE_KEEP_MS)
      .exec();
  }

  async optedIn(ws: WorkspaceId | string, phones: readonly string[]): Promise<void> {
    if (phones.length > 0) {
      await this.redis.zrem(this.key(ws), ...phones);
    }
  }
}
