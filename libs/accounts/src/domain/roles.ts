// What an API key may do. The rule is by HTTP method, so a new route gets the right one without
// anyone remembering: reads for every role, writes for marketers and admins, and routes marked
// admin-only (keys, business accounts, settings, dead letters, the audit log) for admins alone.

export const API_KEY_ROLES = ['admin', 'marketer', 'viewer'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** What a route needs: to read, to change, or to administer the workspace. */
export type RouteAccess = 'read' | 'write' | 'admin';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const GRANTS: Record<ApiKeyRole, readonly RouteAccess[]> = {
  admin: ['read', 'write', 'admin'],
  marketer: ['read', 'write'],
  viewer: ['read'],
};

export function isApiKeyRole(value: unknown): value is ApiKeyRole {
  return typeof value === 'string' && (API_KEY_ROLES as readonly string[]).includes(value);
}

/** The access a call needs: admin when its route is marked so, else read or write by method. */
export function accessFor(method: string, adminOnly: boolean): RouteAccess {
  if (adminOnly) {
    return 'admin';
  }
  return READ_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

export function mayAccess(role: ApiKeyRole, access: RouteAccess): boolean {
  return GRANTS[role].includes(access);
}
