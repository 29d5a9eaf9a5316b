import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiKeyRecord } from '@app/accounts';
import type { WorkspaceId } from '@app/common';
import type { FastifyRequest } from 'fastify';

export interface AuthenticatedRequest extends FastifyRequest {
  /** The bearer key (null: unknown or revoked; absent: none sent), from the onRequest hook. */
  apiKey?: ApiKeyRecord | null;
  workspaceId?: WorkspaceId;
  apiKeyId?: string;
}

/** The workspace of the calling API key; set by ApiKeyGuard, the only place that decides it. */
export const Workspace = createParamDecorator((_: unknown, ctx: ExecutionContext): WorkspaceId => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.workspaceId) {
    throw new Error('@Workspace() used on a route that ApiKeyGuard did not authenticate');
  }
  return req.workspaceId;
});
