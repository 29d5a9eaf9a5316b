import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MinLength,
  Min,
  validateSync,
} from 'class-validator';
import {
  WORKER_ROLES,
  type AppConfig,
  type LogLevel,
  type NodeEnv,
  type WorkerRole,
} from './app-config';

const ROLE = `(?:${WORKER_ROLES.join('|')})`;
/** "campaigns, statuses": known roles, comma-separated, at least one. */
const ROLE_LIST = new RegExp(`^\\s*${ROLE}(?:\\s*,\\s*${ROLE})*\\s*$`);
/** Used only when NODE_ENV=test and no ENCRYPTION_KEY is given. */
const TEST_ENCRYPTION_KEY = '0'.repeat(63) + '1';

/** A host name or IPv4 address (dotted labels), or an IPv6 address. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|[0-9a-f]*:[0-9a-f:.]*)$/i;

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class Env {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV: NodeEnv = 'development';

  @Transform(trim)
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mmlite';

  @Transform(trim)
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IsOptional() @Matches(/^[a-z0-9][a-z0-9:_-]{0,40}$/i) REDIS_PREFIX = 'mmlite';

  @Type(() => Number) @IsInt() @Min(1) @Max(65535) PORT = 3000;

  @Transform(trim)
  @Matches(HOST, { message: 'HOST must be an IP address or a host name' })
  HOST = '127.0.0.1';

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000_000) API_RATE_LIMIT_PER_MINUTE = 6000;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters' })
  API_KEY?: string;

  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'ENCRYPTION_KEY must be 64 hex characters (32 bytes)' })
  ENCRYPTION_KEY?: string;

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL: LogLevel = 'log';

  @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: 'json' | 'pretty';

  @Transform(trim)
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  GRAPH_API_BASE_URL = 'http://127.0.0.1:4010';

  @Matches(/^v\d+\.\d+$/, { message: 'GRAPH_API_VERSION must look like v24.0' })
  GRAPH_API_VERSION = 'v24.0';

  @Type(() => Number) @IsInt() @Min(100) @Max(120000) GRAPH_API_TIMEOUT_MS = 15000;

  @IsString({ message: 'APP_SECRET is required' })
  @MinLength(8, { message: 'APP_SECRET must be at least 8 characters' })
  APP_SECRET!: string;

  @IsString({ message: 'WEBHOOK_VERIFY_TOKEN is required' })
  @MinLength(4, { message: 'WEBHOOK_VERIFY_TOKEN must be at least 4 characters' })
  WEBHOOK_VERIFY_TOKEN!: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  WEBHOOK_CALLBACK_URL?: string;

  @Type(() => Number) @IsInt() @Min(1024) @Max(50 * 1024 * 1024) WEBHOOK_BODY_LIMIT_BYTES =
    4 * 1024 * 1024;

  @Type(() => Number) @IsInt() @Min(1) @Max(16) CAMPAIGN_LANES = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) CAMPAIGN_BATCH_SIZE = 500;
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) SEND_IN_DOUBT_AFTER_MS = 5_000;
  @Type(() => Number) @IsInt() @Min(100) @Max(86_400_000) SEND_RESEND_AFTER_MS = 120_000;
  @Type(() => Number) @IsInt() @Min(0) @Max(7 * 86_400_000) SCHEDULE_GRACE_MS = 900_000;
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) SCHEDULER_TICK_MS = 1000;
  @Type(() => Number) @IsInt() @Min(500) @Max(600_000) WORKER_LEASE_TTL_MS = 10_000;
  @Type(() => Number) @IsInt() @Min(16) @Max(100_000) SEND_MAX_IN_FLIGHT = 4000;
  @IsOptional() @IsString() WEBHOOK_STOP_KEYWORDS = 'STOP,UNSUBSCRIBE';
  @IsOptional() @IsString() WEBHOOK_OPT_OUT_BUTTONS = 'Stop promotions';
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) WEBHOOK_BATCH_SIZE = 500;
  @Type(() => Number) @IsInt() @Min(1) @Max(16) WEBHOOK_WORKER_CONCURRENCY = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(3650) WEBHOOK_RETENTION_DAYS = 30;
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WEBHOOK_MAX_ATTEMPTS = 10;
  @Type(() => Number) @IsInt() @Min(1024) @Max(64 * 1024 * 1024 * 1024) IMPORT_MAX_BYTES =
    1024 * 1024 * 1024;
  @Type(() => Number) @IsInt() @Min(10) @Max(200_000) IMPORT_BATCH_ROWS = 20_000;
  @Type(() => Number) @IsInt() @Min(500) @Max(3_600_000) IMPORT_LEASE_MS = 60_000;
  @Type(() => Number) @IsInt() @Min(50) @Max(3_600_000) REPORTS_INSIGHTS_TICK_MS = 60_000;
  @Type(() => Number) @IsInt() @Min(100) @Max(7 * 86_400_000) REPORTS_INSIGHTS_REFRESH_MS =
    6 * 3_600_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535) SANDBOX_PORT = 4010;
  @IsOptional() @IsString() SANDBOX_HOST = '127.0.0.1';
  @Matches(/^\d{5,20}$/, { message: 'SANDBOX_WABA_ID must be digits' })
  SANDBOX_WABA_ID = '100000000000001';
  @Matches(/^\d{5,20}$/, { message: 'SANDBOX_PHONE_NUMBER_ID must be digits' })
  SANDBOX_PHONE_NUMBER_ID = '100000000000002';
  @IsString() @MinLength(4) SANDBOX_ACCESS_TOKEN = 'sandbox-token';
  @IsIn(['meta', 'off'], { message: 'SANDBOX_LATENCY must be meta or off' })
  SANDBOX_LATENCY: 'meta' | 'off' = 'meta';

  @IsOptional() @IsString() WEB_APP_DIR = 'dist/web';

  @Matches(ROLE_LIST, {
    message: `must list one or more of ${WORKER_ROLES.join(', ')}, comma-separated`,
  })
  WORKER_ROLES = WORKER_ROLES.join(',');

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'PUBLIC_LINK_BASE_URL must be an http(s) URL' },
  )
  PUBLIC_LINK_BASE_URL?: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(3650) LINK_TTL_DAYS = 90;
}

/** "a, b,,c" → ["a", "b", "c"]: comma-separated lists in one variable. */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once and returns the typed configuration, or throws naming every bad variable. */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts: { app?: 'engine' | 'sandbox' } = {},
): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = plainToInstance(Env, present, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  const problems = errors.map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {})[0] ?? 'is invalid'}`,
  );
  // The sandbox holds no tokens of ours, so it needs no encryption key.
  if (parsed.NODE_ENV !== 'test' && opts.app !== 'sandbox' && !parsed.ENCRYPTION_KEY) {
    problems.push('ENCRYPTION_KEY: is required (64 hex characters)');
  }
  if (problems.length === 0 && opts.app !== 'sandbox') {
    problems.push(...timingProblems(parsed));
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return {
    env: parsed.NODE_ENV,
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    redisPrefix: parsed.REDIS_PREFIX,
    port: parsed.PORT,
    host: parsed.HOST,
    apiRateLimitPerMinute: parsed.API_RATE_LIMIT_PER_MINUTE,
    apiKey: parsed.API_KEY ?? null,
    encryptionKey: (parsed.ENCRYPTION_KEY ?? TEST_ENCRYPTION_KEY).toLowerCase(),
    logLevel: parsed.LOG_LEVEL,
    logJson:
      (parsed.LOG_FORMAT ?? (parsed.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'json',
    graph: {
      baseUrl: parsed.GRAPH_API_BASE_URL.replace(/\/+$/, ''),
      version: parsed.GRAPH_API_VERSION,
      timeoutMs: parsed.GRAPH_API_TIMEOUT_MS,
    },
    webhook: {
      appSecret: parsed.APP_SECRET,
      verifyToken: parsed.WEBHOOK_VERIFY_TOKEN,
      callbackUrl:
        parsed.WEBHOOK_CALLBACK_URL ?? `http://127.0.0.1:${parsed.PORT}/webhooks/whatsapp`,
      bodyLimitBytes: parsed.WEBHOOK_BODY_LIMIT_BYTES,
      stopKeywords: splitList(parsed.WEBHOOK_STOP_KEYWORDS),
      optOutButtons: splitList(parsed.WEBHOOK_OPT_OUT_BUTTONS),
      batchSize: parsed.WEBHOOK_BATCH_SIZE,
      retentionDays: parsed.WEBHOOK_RETENTION_DAYS,
      workerConcurrency: parsed.WEBHOOK_WORKER_CONCURRENCY,
      maxAttempts: parsed.WEBHOOK_MAX_ATTEMPTS,
    },
    campaigns: {
      lanes: parsed.CAMPAIGN_LANES,
      batchSize: parsed.CAMPAIGN_BATCH_SIZE,
      inDoubtAfterMs: parsed.SEND_IN_DOUBT_AFTER_MS,
      resendAfterMs: parsed.SEND_RESEND_AFTER_MS,
      scheduleGraceMs: parsed.SCHEDULE_GRACE_MS,
      schedulerTickMs: parsed.SCHEDULER_TICK_MS,
      workerLeaseTtlMs: parsed.WORKER_LEASE_TTL_MS,
      maxInFlight: parsed.SEND_MAX_IN_FLIGHT,
    },
    imports: {
      maxBytes: parsed.IMPORT_MAX_BYTES,
      batchRows: parsed.IMPORT_BATCH_ROWS,
      leaseMs: parsed.IMPORT_LEASE_MS,
    },
    reports: {
      insightsTickMs: parsed.REPORTS_INSIGHTS_TICK_MS,
      insightsRefreshMs: parsed.REPORTS_INSIGHTS_REFRESH_MS,
    },
    sandbox: {
      port: parsed.SANDBOX_PORT,
      host: parsed.SANDBOX_HOST,
      wabaId: parsed.SANDBOX_WABA_ID,
      phoneNumberId: parsed.SANDBOX_PHONE_NUMBER_ID,
      accessToken: parsed.SANDBOX_ACCESS_TOKEN,
      latency: parsed.SANDBOX_LATENCY,
    },
    webAppDir: parsed.WEB_APP_DIR,
    worker: { roles: [...new Set(splitList(parsed.WORKER_ROLES))] as WorkerRole[] },
    links: {
      publicBaseUrl: (parsed.PUBLIC_LINK_BASE_URL ?? `http://127.0.0.1:${parsed.PORT}`).replace(
        /\/+$/,
        '',
      ),
      ttlDays: parsed.LINK_TTL_DAYS,
    },
  };
}

/**
 * The send timings depend on each other; a set that breaks exactly-once is refused at start-up.
 * - A message in doubt is reconciled from webhooks after SEND_IN_DOUBT_AFTER_MS and sent again
 *   only after SEND_RESEND_AFTER_MS without proof, so the second must come after the first.
 * - A dead worker's last request may still be in Meta's hands for a whole GRAPH_API_TIMEOUT_MS,
 *   and its death is known only once its lease (WORKER_LEASE_TTL_MS) has run out: a resend
 *   earlier than both could overtake a request that Meta is still accepting.
 */
export function timingProblems(
  e: Pick<
    Env,
    | 'SEND_IN_DOUBT_AFTER_MS'
    | 'SEND_RESEND_AFTER_MS'
    | 'GRAPH_API_TIMEOUT_MS'
    | 'WORKER_LEASE_TTL_MS'
  >,
): string[] {
  const out: string[] = [];
  if (e.SEND_RESEND_AFTER_MS <= e.SEND_IN_DOUBT_AFTER_MS) {
    out.push(
      `SEND_RESEND_AFTER_MS (${e.SEND_RESEND_AFTER_MS}) must be greater than SEND_IN_DOUBT_AFTER_MS (${e.SEND_IN_DOUBT_AFTER_MS})`,
    );
  }
  const floor = e.GRAPH_API_TIMEOUT_MS + e.WORKER_LEASE_TTL_MS;
  if (e.SEND_RESEND_AFTER_MS <= floor) {
    out.push(
      `SEND_RESEND_AFTER_MS (${e.SEND_RESEND_AFTER_MS}) must be greater than GRAPH_API_TIMEOUT_MS + WORKER_LEASE_TTL_MS (${floor})`,
    );
  }
  return out;
}

/** For `main.ts`: load or print one line per problem and exit 1. */
export function loadConfigOrExit(
  env: Record<string, string | undefined>,
  opts: { app?: 'engine' | 'sandbox' } = {},
): AppConfig {
  try {
    return loadConfig(env, opts);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.problems.join('; ')}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/** Only what the migration runner needs, so `npm run migrate` works without the app's secrets. */
export function loadDatabaseUrl(env: Record<string, string | undefined>): string {
  const parsed = plainToInstance(Env, env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {});
  const errors = validateSync(parsed).filter((e) => e.property === 'DATABASE_URL');
  if (errors.length > 0) {
    throw new ConfigError([`DATABASE_URL: ${Object.values(errors[0]?.constraints ?? {})[0]}`]);
  }
  return parsed.DATABASE_URL;
}
