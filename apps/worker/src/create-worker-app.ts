import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Clock } from '@app/common';
import { createLogger, type AppConfig } from '@app/config';
import { WorkerModule } from './worker.module';

/**
 * The worker exactly as production runs it (no HTTP); main.ts and the e2e tests both call this.
 * `clock` is for tests: the worker then reads time from it (a clock the test moves).
 */
export async function createWorkerApp(
  config: AppConfig,
  clock?: Clock,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, clock), {
    logger: createLogger(config, 'worker'),
  });
  app.enableShutdownHooks();
  return app;
}
