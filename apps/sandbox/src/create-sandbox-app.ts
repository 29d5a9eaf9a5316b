import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type AppConfig } from '@app/config';
import { SandboxModule } from './sandbox.module';
import { SandboxRuntime } from './sandbox-runtime';
import { fastSendPath, registerSendRoutes } from './send.handler';

const BODY_LIMIT = 8 * 1024 * 1024;

export async function createSandboxApp(config: AppConfig): Promise<NestFastifyApplication> {
  const runtime = new SandboxRuntime(config);
  const fast = fastSendPath(runtime, BODY_LIMIT);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const server = createServer((req, res) => {
        if (!fast(req, res)) {
          handler(req, res);
        }
      });
      // What Fastify sets on a server it creates itself (a serverFactory's is left as it comes).
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
  });
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
