export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/**
 * What a worker process runs: `campaigns` (targeting, send lanes, the campaigns tick, template
 * insights), `statuses` (applying the status webhook journal), `imports` (CSV imports).
 */
export const WORKER_ROLES = ['campaigns', 'statuses', 'imports'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

export interface AppConfig {
  env: NodeEnv;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key the engine writes (bull queues, governor state). */
  redisPrefix: string;
  port: number;
  /** Interface the API listens on: loopback unless HOST opens it (docker-compose: 0.0.0.0). */
  host: string;
  /** Requests per API key per clock minute, counted in Redis across every API process. */
  apiRateLimitPerMinute: number;
  /** Seeds the default workspace's first API key when set. */
  apiKey: string | null;
  encryptionKey: string;
  logLevel: LogLevel;
  logJson: boolean;
  graph: {
    baseUrl: string;
    version: string;
    timeoutMs: number;
  };
  webhook: {
    /** Processed webhook events are deleted after this many days (flagged ones are kept). */
    retentionDays: number;
    appSecret: string;
    verifyToken: string;
    callbackUrl: string;
    bodyLimitBytes: number;
    /** Whole-message inbound texts that opt the sender out (compared case- and space-insensitively). */
    stopKeywords: string[];
    /** Quick-reply button payloads or labels that opt the sender out (e.g. Meta's "Stop promotions"). */
    optOutButtons: string[];
    /** Webhook events one worker transaction claims and applies at once. */
    batchSize: number;
    /** Concurrent apply loops per worker process (each holds one transaction at a time). */
    workerConcurrency: number;
    /** An event that failed this many times is a dead letter: kept, listed, retried only by hand. */
    maxAttempts: number;
  };
  campaigns: {
    /** Concurrent send loops per running campaign (they share the governor's timeline). */
    lanes: number;
    batchSize: number;
    /** A message `sending` for this long without an answer is reconciled from webhooks. */
    inDoubtAfterMs: number;
    /** … and sent again only if no webhook proved it reached Meta by then. */
    resendAfterMs: number;
    /** A schedule missed by more than this follows the campaign's late policy. */
    scheduleGraceMs: number;
    schedulerTickMs: number;
    /** A worker's claims are its own while its lease (renewed in Redis) lives. */
    workerLeaseTtlMs: number;
    /** Most unanswered send requests per process (also the Graph client's connection pool). */
    maxInFlight: number;
  };
  /** CSV imports into audiences. */
  imports: {
    /** Largest accepted upload (IMPORT_MAX_BYTES); the global body limit does not apply. */
    maxBytes: number;
    /** Rows per committed batch (IMPORT_BATCH_ROWS): the resume granularity after a crash. */
    batchRows: number;
    /** A running import whose worker has not reported for this long is taken over (IMPORT_LEASE_MS). */
    leaseMs: number;
  };
  /** MM Lite template metrics for reports (benchmarks, analytics) pulled by the worker. */
  reports: {
    /** How often each worker looks for templates due a fetch (REPORTS_INSIGHTS_TICK_MS). */
    insightsTickMs: number;
    /** How long a template's fetched metrics count as fresh (REPORTS_INSIGHTS_REFRESH_MS). */
    insightsRefreshMs: number;
  };
  sandbox: {
    port: number;
    host: string;
    wabaId: string;
    phoneNumberId: string;
    accessToken: string;
    /** How the sandbox answers sends on the wire: `meta` (long-tailed latency, lost answers) or `off` (at once). */
    latency: 'meta' | 'off';
  };
  /** The built web app the API serves at /app (WEB_APP_DIR, relative to the working directory). */
  webAppDir: string;
  worker: {
    /**
     * WORKER_ROLES (default all). Every role must run on some worker. A sender whose statuses are
     * applied in another process collects about half as much garbage (README, "Scaling out").
     */
    roles: readonly WorkerRole[];
  };
  /** Tracked links: `${publicBaseUrl}/r/<token>` redirects; tokens older than ttlDays answer 404. */
  links: { publicBaseUrl: string; ttlDays: number };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
