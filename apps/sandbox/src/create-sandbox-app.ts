import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type AppConfig } from '@app/config';
import { SandboxModule } from './sandbox.module';

export async function createSandboxApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    SandboxModule.register(config),
    new FastifyAdapter({ bodyLimit: 8 * 1024 * 1024 }),
    { logger: createLogger(config, 'sandbox') },
  );
  app.enableShutdownHooks();
  return app;
}
