import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, type Clock, SystemClock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';
import { ThroughputGovernor } from './throughput-governor';

@Module({
  providers: [
    // CLOCK is not global in the apps; tests replace it with overrideProvider(CLOCK).
    { provide: CLOCK, useClass: SystemClock },
    {
      provide: ThroughputGovernor,
      inject: [REDIS, APP_CONFIG, CLOCK],
      useFactory: (redis: Redis, config: AppConfig, clock: Clock) =>
        new ThroughputGovernor(redis, config.redisPrefix, clock),
    },
  ],
  exports: [ThroughputGovernor],
})
export class GovernorModule {}
