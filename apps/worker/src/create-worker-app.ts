import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger, type AppConfig } from '@app/config';
import { WorkerModule } from './worker.module';

/** The worker exactly as production runs it (no HTTP); main.ts and the e2e tests both call this. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    logger: createLogger(config, 'worker'),
  });
  app.enableShutdownHooks();
  return app;
}
