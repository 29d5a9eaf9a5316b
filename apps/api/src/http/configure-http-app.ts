import { Logger, type INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpMetrics } from '../metrics/http-metrics';
import { registerWebhookBodyParser } from '../webhooks/webhook-body';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { registerInputPolicy } from './input-policy';
import { registerApiKeyIdentity } from './api-key-identity';
import { registerAuditTrail } from './audit-trail';
import { createOpenApiDocument } from './openapi';
import { serveWebApp } from './web-app';
import { registerRedirectRoute } from '../links/redirect-route';

const QUIET_PREFIXES = ['/webhooks/', '/metrics', '/health', '/app'];

/** Everything about the HTTP pipeline that production and the e2e tests must share. */
export function configureHttpApp(app: NestFastifyApplication): INestApplication {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(HttpMetrics);
  const logger = new Logger('Http');
  const config = app.get<AppConfig>(APP_CONFIG);

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  registerApiKeyIdentity(app);
  registerWebhookBodyParser(app, config);
  registerInputPolicy(app, config.webhook.bodyLimitBytes);
  registerAuditTrail(app);
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(req.method, route, reply.statusCode, seconds);
    const quiet = reply.statusCode < 400 && QUIET_PREFIXES.some((p) => req.url.startsWith(p));
    if (!quiet) {
      logger.log({
        message: 'request',
        requestId: req.id,
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      });
    }
    done();
  });

  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });
  serveWebApp(fastify, config.webAppDir);
  registerRedirectRoute(app);
  app.enableShutdownHooks();
  return app;
}
