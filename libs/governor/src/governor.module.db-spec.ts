import { Test } from '@nestjs/testing';
import type Redis from 'ioredis';
import { CLOCK, FakeClock } from '@app/common';
import { ConfigModule } from '@app/config';
import { REDIS, RedisModule } from '@app/redis';
import { testConfig } from '@app/testing';
import { GovernorModule } from './governor.module';
import { ThroughputGovernor } from './throughput-governor';

describe('GovernorModule', () => {
  it('wires the governor to the app Redis, its key prefix and the injected clock', async () => {
    const config = testConfig();
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), RedisModule, GovernorModule],
    })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .compile();
    const app = await moduleRef.init();
    try {
      const governor = app.get(ThroughputGovernor);
      const grant = await governor.reserveSlots('pn-module', 80, 2);
      expect(grant.slots[0]).toBe(clock.nowMs());
      const redis = app.get<Redis>(REDIS);
      const keys = await redis.keys(`${config.redisPrefix}:gov:*`);
      expect(keys).toEqual([`${config.redisPrefix}:gov:{pn-module}:tp`]);
      await redis.del(...keys);
    } finally {
      await app.close();
    }
  });
});
