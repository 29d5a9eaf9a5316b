import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { CLOCK, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';
import { SendGate } from './send-gate';
import { ThroughputGovernor } from './throughput-governor';

/** The governor on the app's Redis and clock (CLOCK comes from ConfigModule), and its send gate. */
@Module({
  providers: [
    {
      provide: ThroughputGovernor,
      inject: [REDIS, APP_CONFIG, CLOCK],
      useFactory: (redis: Redis, config: AppConfig, clock: Clock) =>
        new ThroughputGovernor(redis, config.redisPrefix, clock),
    },
    {
      provide: SendGate,
      inject: [ThroughputGovernor, APP_CONFIG, CLOCK],
      useFactory: (governor: ThroughputGovernor, config: AppConfig, clock: Clock) =>
        new SendGate(governor, clock, { maxInFlight: config.campaigns.maxInFlight }),
    },
  ],
  exports: [ThroughputGovernor, SendGate],
})
export class GovernorModule {}
