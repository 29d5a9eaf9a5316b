import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type AppConfig } from '@app/config';
import { SandboxModule } from './sandbox.module';
import { SandboxRuntime } from './sandbox-runtime';
import { registerSendRoutes } from './send.handler';

export async function createSandboxApp(config: AppConfig): Promise<NestFastifyApplication> {
  const runtime = new SandboxRuntime(config);
  const adapter = new FastifyAdapter({ bodyLimit: 8 * 1024 * 1024 });
  const fastify = adapter.getInstance();
  registerSendRoutes(fastify, runtime);
  fastify.addHook('preClose', (done) => {
    runtime.releaseHeld();
    done();
  });
  fastify.addHook('onClose', async () => {
    await runtime.close();
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    SandboxModule.register(config, runtime),
    adapter,
    { logger: createLogger(config, 'sandbox') },
  );
  app.enableShutdownHooks();
  return app;
}
