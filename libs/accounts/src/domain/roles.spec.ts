import { accessFor, isApiKeyRole, mayAccess, type ApiKeyRole } from './roles';

describe('API key roles', () => {
  const may = (role: ApiKeyRole, method: string, adminOnly = false) =>
    mayAccess(role, accessFor(method, adminOnly));

  it('lets a viewer read and nothing else', () => {
    expect(['GET', 'HEAD', 'get'].map((m) => may('viewer', m))).toEqual([true, true, true]);
    expect(['POST', 'PATCH', 'PUT', 'DELETE'].map((m) => may('viewer', m))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(may('viewer', 'GET', true)).toBe(false);
  });

  it('lets a marketer read and write, but not administer', () => {
    expect(may('marketer', 'GET')).toBe(true);
    expect(may('marketer', 'POST')).toBe(true);
    expect(may('marketer', 'DELETE')).toBe(true);
    expect(may('marketer', 'GET', true)).toBe(false);
    expect(may('marketer', 'PATCH', true)).toBe(false);
  });

  it('lets an admin do everything', () => {
    for (const m of ['GET', 'POST', 'PATCH', 'DELETE']) {
      expect(may('admin', m)).toBe(true);
      expect(may('admin', m, true)).toBe(true);
    }
  });

  it('knows the three roles and nothing else', () => {
    expect(['admin', 'marketer', 'viewer'].every(isApiKeyRole)).toBe(true);
    expect([null, 'root', 'Admin', 1].some(isApiKeyRole)).toBe(false);
  });
});
