import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';

/**
 * This process's identity and liveness. Messages a worker claims carry its id; while its lease
 * key lives in Redis nobody else touches them, so a slow batch is never mistaken for a dead one.
 * A worker that cannot renew its lease stops firing sends (it might be presumed dead).
 */
@Injectable()
export class WorkerLease implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger(WorkerLease.name);
  private timer: NodeJS.Timeout | null = null;
  private renewedAt = 0;
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.campaigns.workerLeaseTtlMs;
    this.prefix = `${config.redisPrefix}:worker-lease:`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 4)));
  }

  /**
   * Given up only once the app has drained (after beforeApplicationShutdown, where lanes finish):
   * while in-flight sends still write their outcomes, the claims stay this worker's. Dropped any
   * earlier, a reconciler (another worker's, or this one's last tick) took them for a dead worker's
   * and put them in doubt, and a SIGTERM left them unsettled.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.redis.del(this.key(this.id)).catch(() => undefined);
  }

  /** True while the lease was renewed recently enough that nobody can think this worker dead. */
  healthy(): boolean {
    return Date.now() - this.renewedAt < this.ttlMs / 2;
  }

  /** Which of these worker ids still hold a lease. */
  async alive(ids: string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      return new Set();
    }
    const values = await this.redis.mget(...unique.map((id) => this.key(id)));
    return new Set(unique.filter((_, i) => values[i] !== null));
  }

  private key(id: string): string {
    return this.prefix + id;
  }

  private async renew(): Promise<void> {
    try {
      await this.redis.set(this.key(this.id), '1', 'PX', this.ttlMs);
      this.renewedAt = Date.now();
    } catch (e) {
      this.logger.error({
        message: 'worker lease renewal failed',
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
