import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, DomainError, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';
import type { AccountsErrorCode } from './accounts.errors';

/** Meta's management-call limits per app per WABA (MMLITE.md §6.5). */
export const WABA_CALLS_PER_HOUR = 200;
export const ACTIVE_WABA_CALLS_PER_HOUR = 5000;

export class GraphBudgetExhaustedError extends DomainError<AccountsErrorCode> {
  readonly code = 'GRAPH_RATE_LIMITED';
  constructor(
    wabaId: string,
    readonly retryAfterMs: number,
  ) {
    super(
      `the hourly Graph API budget of WABA ${wabaId} is spent; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        retryAfterMs,
      },
    );
  }
}

// A sliding one-hour log of calls per WABA, plus a "blocked until" set after Meta said 4/80007/80008.
const TAKE = `
local log, block = KEYS[1], KEYS[2]
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blocked = tonumber(redis.call('GET', block) or '0')
if blocked > now then return blocked - now end
redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
if redis.call('ZCARD', log) >= limit then
  local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
redis.call('ZADD', log, now, now .. ':' .. ARGV[4])
redis.call('PEXPIRE', log, window)
return 0
`;

/**
 * Keeps management calls (templates, phone numbers) inside Meta's hourly budget per WABA, shared
 * by every process through Redis, and honours the wait Meta asks for after a rate-limit error.
 */
@Injectable()
export class WabaCallBudget {
  private readonly prefix: string;
  private seq = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redisPrefix}:waba-budget`;
  }

  /** Spends one call or throws GraphBudgetExhaustedError with the wait. */
  async take(wabaId: string, active: boolean): Promise<void> {
    const limit = active ? ACTIVE_WABA_CALLS_PER_HOUR : WABA_CALLS_PER_HOUR;
    const wait = Number(
      await this.redis.eval(
        TAKE,
        2,
        `${this.prefix}:${wabaId}:log`,
        `${this.prefix}:${wabaId}:blocked`,
        this.clock.now().getTime(),
        limit,
        3_600_000,
        `${process.pid}:${++this.seq}`,
      ),
    );
    if (wait > 0) {
      throw new GraphBudgetExhaustedError(wabaId, wait);
    }
  }

  /** Meta said to back off (codes 4, 80007, 80008): no calls for this WABA until then. */
  async blockFor(wabaId: string, ms: number): Promise<void> {
    const until = this.clock.now().getTime() + ms;
    await this.redis.set(`${this.prefix}:${wabaId}:blocked`, String(until), 'PX', ms);
  }
}
