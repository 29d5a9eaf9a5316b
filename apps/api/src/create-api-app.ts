import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Clock } from '@app/common';
import { createLogger, type AppConfig } from '@app/config';
import { ApiModule } from './api.module';
import { configureHttpApp } from './http/configure-http-app';
import { requestIdFor } from './http/request-id';

/** Builds the API exactly as production runs it; main.ts and the e2e tests (with their clock) call this. */
export async function createApiApp(
  config: AppConfig,
  clock?: Clock,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: config.webhook.bodyLimitBytes,
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.register(config, clock),
    adapter,
    { logger: createLogger(config, 'api') },
  );
  configureHttpApp(app);
  return app;
}
