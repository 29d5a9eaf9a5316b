import { ConfigError, loadConfig, loadDatabaseUrl } from './load-config';

const valid = {
  APP_SECRET: 'app-secret-123',
  WEBHOOK_VERIFY_TOKEN: 'verify-me',
  ENCRYPTION_KEY: 'ab'.repeat(32),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems;
    }
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/mmlite');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.graph.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.webhook.callbackUrl).toBe('http://127.0.0.1:3000/webhooks/whatsapp');
    expect(config.sandbox).toEqual({
      port: 4010,
      host: '127.0.0.1',
      wabaId: '100000000000001',
      phoneNumberId: '100000000000002',
      accessToken: 'sandbox-token',
      latency: 'meta',
    });
    expect(config.apiKey).toBeNull();
    expect(config.host).toBe('127.0.0.1');
    expect(config.apiRateLimitPerMinute).toBe(6000);
    expect(config.webhook.maxAttempts).toBe(10);
  });

  it('listens where HOST says: any address or host name', () => {
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', 'api.internal', '10.0.0.7']) {
      expect(loadConfig({ ...valid, HOST: host }).host).toBe(host);
    }
  });

  it('runs every worker role unless WORKER_ROLES names some, and refuses unknown or none', () => {
    expect(loadConfig(valid).worker.roles).toEqual(['campaigns', 'statuses', 'imports']);
    expect(loadConfig({ ...valid, WORKER_ROLES: ' statuses , campaigns,statuses' }).worker).toEqual(
      {
        roles: ['statuses', 'campaigns'],
      },
    );
    // Empty means unset, as for every variable.
    expect(loadConfig({ ...valid, WORKER_ROLES: '' }).worker.roles).toHaveLength(3);
    for (const bad of [' ', 'campaigns,', 'send', 'campaigns,webhooks', ',statuses']) {
      expect(problemsOf({ ...valid, WORKER_ROLES: bad })).toEqual([
        'WORKER_ROLES: must list one or more of campaigns, statuses, imports, comma-separated',
      ]);
    }
  });

  it('names APP_SECRET and WEBHOOK_VERIFY_TOKEN when they are missing', () => {
    const problems = problemsOf({ ENCRYPTION_KEY: valid.ENCRYPTION_KEY });
    expect(problems.join('\n')).toMatch(/APP_SECRET/);
    expect(problems.join('\n')).toMatch(/WEBHOOK_VERIFY_TOKEN/);
  });

  it('requires ENCRYPTION_KEY outside tests only', () => {
    const { ENCRYPTION_KEY: _omit, ...rest } = valid;
    expect(problemsOf(rest)).toEqual(['ENCRYPTION_KEY: is required (64 hex characters)']);
    expect(problemsOf({ ...rest, NODE_ENV: 'test' })).toEqual([]);
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['ENCRYPTION_KEY', 'xyz'],
    ['GRAPH_API_VERSION', '24'],
    ['GRAPH_API_BASE_URL', 'ftp://example.com'],
    ['API_KEY', 'short'],
    ['HOST', 'http://0.0.0.0'],
    ['HOST', 'a b'],
    ['API_RATE_LIMIT_PER_MINUTE', '0'],
    ['API_RATE_LIMIT_PER_MINUTE', 'many'],
    ['WEBHOOK_MAX_ATTEMPTS', '0'],
    ['WEBHOOK_MAX_ATTEMPTS', '2.5'],
  ])('rejects a malformed %s', (name, value) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}:`));
  });

  it('derives the webhook callback from PORT and strips a trailing slash from the Graph URL', () => {
    const config = loadConfig({
      ...valid,
      PORT: '8080',
      GRAPH_API_BASE_URL: 'https://graph.facebook.com/',
    });
    expect(config.webhook.callbackUrl).toBe('http://127.0.0.1:8080/webhooks/whatsapp');
    expect(config.graph.baseUrl).toBe('https://graph.facebook.com');
  });

  it('gives the migration runner its database URL without the app secrets', () => {
    expect(loadDatabaseUrl({})).toBe('postgres://postgres@127.0.0.1:5432/mmlite');
    expect(loadDatabaseUrl({ DATABASE_URL: 'postgres://u@h:5/db' })).toBe('postgres://u@h:5/db');
    expect(() => loadDatabaseUrl({ DATABASE_URL: 'nope' })).toThrow(/DATABASE_URL/);
  });

  it('refuses send timings that could resend a message Meta may still be accepting', () => {
    expect(
      problemsOf({ ...valid, SEND_IN_DOUBT_AFTER_MS: '60000', SEND_RESEND_AFTER_MS: '50000' }),
    ).toEqual([
      expect.stringMatching(
        /^SEND_RESEND_AFTER_MS \(50000\) must be greater than SEND_IN_DOUBT_AFTER_MS/,
      ),
    ]);
    expect(
      problemsOf({
        ...valid,
        GRAPH_API_TIMEOUT_MS: '20000',
        WORKER_LEASE_TTL_MS: '10000',
        SEND_RESEND_AFTER_MS: '30000',
      }),
    ).toEqual([expect.stringMatching(/GRAPH_API_TIMEOUT_MS \+ WORKER_LEASE_TTL_MS \(30000\)/)]);
    expect(
      problemsOf({ ...valid, SEND_RESEND_AFTER_MS: '30001', GRAPH_API_TIMEOUT_MS: '20000' }),
    ).toEqual([]);
    // The sandbox sends nothing of ours: it does not care.
    expect(() =>
      loadConfig(
        { ...valid, SEND_RESEND_AFTER_MS: '200', SEND_IN_DOUBT_AFTER_MS: '300' },
        { app: 'sandbox' },
      ),
    ).not.toThrow();
  });
});
