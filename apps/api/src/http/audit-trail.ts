import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditLogService } from '@app/accounts';
import type { AuthenticatedRequest } from './workspace.decorator';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The `:id` of the route, else the id of what a successful call answered with (a create). */
function targetOf(req: FastifyRequest, status: number, payload: unknown): string | null {
  const id = (req.params as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string' && id.length > 0) {
    return id.slice(0, 200);
  }
  if (status >= 300 || typeof payload !== 'string' || payload.length > 65_536) {
    return null;
  }
  try {
    const created = (JSON.parse(payload) as { id?: unknown } | null)?.id;
    return typeof created === 'string' && created.length > 0 ? created.slice(0, 200) : null;
  } catch {
    return null;
  }
}

/**
 * Every mutating call of an API key on a /v1 route goes into the audit log with its outcome —
 * refused ones too (400, 403, 404, 429…) — before the answer leaves (group-committed with the
 * calls answered meanwhile). Reads and Meta's webhooks (no key) cost one check each.
 */
export function registerAuditTrail(app: NestFastifyApplication): void {
  const audit = app.get(AuditLogService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (raw: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const req = raw as AuthenticatedRequest;
      const route = req.routeOptions.url;
      if (!req.apiKey || !MUTATING.has(req.method) || !route?.startsWith('/v1/')) {
        return payload;
      }
      await audit.record({
        workspaceId: req.apiKey.workspaceId,
        apiKeyId: req.apiKey.id,
        method: req.method,
        route,
        targetId: targetOf(req, reply.statusCode, payload),
        status: reply.statusCode,
        requestId: req.id,
      });
      return payload;
    });
}
