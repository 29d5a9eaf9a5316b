import { Logger } from '@nestjs/common';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the app's pages live; every other path under it is a deep link into the app. */
export const WEB_APP_PATH = '/app';

// The app holds an API key in sessionStorage, so it runs only its own scripts and stylesheets and
// talks only to this origin (React and Chart.js set styles through the DOM, which CSP allows).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built web app (apps/web, built into `dir` by `npm run build`) at /app: hashed assets
 * from /app/assets/ (gzip files beside them are sent to browsers that accept gzip, cached for a
 * year), and index.html for /app and every deep link below it, so the app's router takes over.
 * Public routes: the app asks for the API key itself. Without a build, /app says how to make one.
 */
export function serveWebApp(fastify: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('WebApp').warn(`no web app at ${root} (run npm run build); /app answers 503`);
    const missing = (_req: unknown, reply: FastifyReply) =>
      reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The web app is not built: run \`npm run build\` (looked in ${root}).\n`);
    fastify.get(WEB_APP_PATH, missing);
    fastify.get(`${WEB_APP_PATH}/*`, missing);
    return;
  }
  const index = readFileSync(indexFile);
  void fastify.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: `${WEB_APP_PATH}/assets/`,
    preCompressed: true,
    decorateReply: false,
    index: false,
    // File names carry a content hash: a changed file is a new URL.
    immutable: true,
    maxAge: '365d',
  });
  const page = (_req: unknown, reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(index);
  fastify.get(WEB_APP_PATH, page);
  fastify.get(`${WEB_APP_PATH}/*`, page);
}
