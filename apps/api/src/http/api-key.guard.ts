import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { accessFor, mayAccess, RoleForbiddenError } from '@app/accounts';
import { IS_PUBLIC } from './public.decorator';
import { IS_ADMIN_ONLY } from './admin-only.decorator';
import type { AuthenticatedRequest } from './workspace.decorator';

/**
 * Global guard: every route needs `Authorization: Bearer <api-key>` unless marked @Public().
 * It pins the request to the key's workspace (identified by the onRequest hook, which also
 * applied the key's rate limit; repositories filter by that id on every query), then checks
 * the key's role against what the route needs (403): reads for any role, writes for
 * marketers, @AdminOnly() routes for admins.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) {
      return true;
    }
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = req.apiKey;
    if (!key) {
      throw new UnauthorizedException(
        key === null
          ? 'invalid or revoked API key'
          : 'missing API key: send Authorization: Bearer <api-key>',
      );
    }
    req.workspaceId = key.workspaceId;
    req.apiKeyId = key.id;
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(IS_ADMIN_ONLY, targets);
    const access = accessFor(req.method, adminOnly === true);
    if (!mayAccess(key.role, access)) {
      throw new RoleForbiddenError(key.role, access, req.method, req.routeOptions.url ?? req.url);
    }
    return true;
  }
}
