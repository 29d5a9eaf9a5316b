import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@app/config';
import { ApiModule } from './api.module';
import { createOpenApiDocument } from './http/openapi';

/**
 * The API's OpenAPI document without a server, a database or Redis: Nest's preview mode reads the
 * modules and controllers but instantiates no provider, so nothing connects. The same document as
 * GET /docs-json (the web app's e2e test compares them).
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  // Placeholders for the variables start-up requires; preview mode uses none of them.
  const config = loadConfig({
    NODE_ENV: 'test',
    APP_SECRET: 'openapi-document',
    WEBHOOK_VERIFY_TOKEN: 'openapi-document',
  });
  const app = await NestFactory.create(ApiModule.register(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
