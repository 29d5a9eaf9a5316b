import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { LuaScript, REDIS } from '@app/redis';
import { ApiRateLimitedError } from './accounts.errors';
import { RATE_WINDOW_MS, rateWindowAt } from './domain/rate-limit';

// One round trip: count the call, and give a new window's counter its expiry.
const COUNT = new LuaScript(
  'api-key-rate-count',
  `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
);

/**
 * API_RATE_LIMIT_PER_MINUTE per key, shared by every API process through Redis. Refused calls
 * count too, so a caller that ignores 429 stays refused until the minute is over.
 */
@Injectable()
export class ApiKeyRateLimit {
  private readonly prefix: string;
  private readonly limit: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redisPrefix}:api-rate`;
    this.limit = config.apiRateLimitPerMinute;
  }

  /** Counts one call of the key, or throws ApiRateLimitedError with the wait. */
  async take(apiKeyId: string): Promise<void> {
    const window = rateWindowAt(this.clock.now().getTime());
    const n = Number(
      // Kept a window longer than it lasts: API processes' clocks may differ by a little.
      await COUNT.run(
        this.redis,
        [`${this.prefix}:${apiKeyId}:${window.index}`],
        [window.endsInMs + RATE_WINDOW_MS],
      ),
    );
    if (n > this.limit) {
      throw new ApiRateLimitedError(this.limit, window.endsInMs);
    }
  }
}
