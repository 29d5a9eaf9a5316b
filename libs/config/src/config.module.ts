import { DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, SystemClock, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from './app-config';

/** Global: the validated configuration and the clock every service reads time from. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}
