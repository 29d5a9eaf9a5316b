import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRateLimit, ApiKeysService } from '@app/accounts';
import type { AuthenticatedRequest } from './workspace.decorator';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * First thing on every request that carries `Authorization: Bearer <key>`, before its body is
 * read: which key it is (or null when the key is unknown or revoked), and the key's rate limit
 * (429 before any work, a refused body included). ApiKeyGuard decides what the route allows;
 * the audit trail attributes every mutating call, also one refused by the input policy.
 */
export function registerApiKeyIdentity(app: NestFastifyApplication): void {
  const keys = app.get(ApiKeysService);
  const rateLimit = app.get(ApiKeyRateLimit);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (raw: FastifyRequest) => {
      const req = raw as AuthenticatedRequest;
      const header = req.headers.authorization;
      const secret = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      if (secret === undefined) {
        return;
      }
      req.apiKey = await keys.authenticate(secret);
      if (req.apiKey) {
        await rateLimit.take(req.apiKey.id);
      }
    });
}
