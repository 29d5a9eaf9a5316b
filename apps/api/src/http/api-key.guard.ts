import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysService } from '@app/accounts';
import { IS_PUBLIC } from './public.decorator';
import type { AuthenticatedRequest } from './workspace.decorator';

/**
 * Global guard: every route needs `Authorization: Bearer <api-key>` unless marked @Public().
 * It pins the request to the key's workspace; repositories filter by that id on every query.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (isPublic) {
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
    return true;
  }
}
