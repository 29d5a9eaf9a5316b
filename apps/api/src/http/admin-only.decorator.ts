import { SetMetadata } from '@nestjs/common';

export const IS_ADMIN_ONLY = 'isAdminOnly';

/**
 * Only admin keys may call this controller or route (managing keys, business accounts, settings,
 * dead letters, the audit log). Without it a route is open by method: reads to every role,
 * writes to marketers and admins (ApiKeyGuard, `accessFor`).
 */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ADMIN_ONLY, true);
