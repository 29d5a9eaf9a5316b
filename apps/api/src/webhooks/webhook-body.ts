import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/config';

export const WEBHOOK_PATH = '/webhooks/whatsapp';
const WEBHOOK_CONTENT_TYPE = 'application/x-mmlite-meta-webhook';

/**
 * Meta's POSTs must reach the controller as the exact raw bytes, whatever they contain: the
 * signature is computed over them, and a malformed body is still stored and acknowledged (Meta
 * would otherwise retry it for days). The app's JSON parser would answer 400 first, so the
 * webhook route gets a parser of its own that keeps the Buffer untouched (size still capped at
 * WEBHOOK_BODY_LIMIT_BYTES → 413). Fastify picks parsers by content type only, hence the
 * content type of exactly this route is renamed before parsing.
 */
export function registerWebhookBodyParser(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    WEBHOOK_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: config.webhook.bodyLimitBytes },
    (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => {
      done(null, body);
    },
  );
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    if (req.method === 'POST' && isWebhookPath(req.url)) {
      req.headers['content-type'] = WEBHOOK_CONTENT_TYPE;
    }
    done();
  });
}

function isWebhookPath(url: string): boolean {
  return (
    url.startsWith(WEBHOOK_PATH) &&
    (url.length === WEBHOOK_PATH.length || url[WEBHOOK_PATH.length] === '?')
  );
}
