import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  accessFor,
  ApiKeyRateLimit,
  ApiKeysService,
  mayAccess,
  RoleForbiddenError,
} from '@app/accounts';
import { IS_PUBLIC } from './public.decorator';
import { IS_ADMIN_ONLY } from './admin-only.decorator';
import type { AuthenticatedRequest } from './workspace.decorator';

/**
 * Global guard: every route needs `Authorization: Bearer <api-key>` unless marked @Public().
 * It pins the request to the key's workspace (repositories filter by that id on every query),
 * counts the call against the key's rate limit (429), then checks the key's role against what
 * the route needs (403): reads for any role, writes for marketers, @AdminOnly() for admins.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly rateLimit: ApiKeyRateLimit,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) {
      return true;
    }
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new UnauthorizedException('missing API key: send Authorization: Bearer <api-key>');
    }
    const key = await this.keys.authenticate(match[1]);
    if (!key) {
      throw new UnauthorizedException('invalid or revoked API key');
    }
    req.workspaceId = key.workspaceId;
    req.apiKeyId = key.id;
    await this.rateLimit.take(key.id);
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(IS_ADMIN_ONLY, targets);
    const access = accessFor(req.method, adminOnly === true);
    if (!mayAccess(key.role, access)) {
      throw new RoleForbiddenError(key.role, access, req.method, req.routeOptions.url ?? req.url);
    }
    return true;
  }
}
