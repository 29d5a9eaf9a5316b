export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

export interface AppConfig {
  env: NodeEnv;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key the engine writes (bull queues, governor state). */
  redisPrefix: string;
  port: number;
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
    appSecret: string;
    verifyToken: string;
    callbackUrl: string;
    bodyLimitBytes: number;
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
  sandbox: {
    port: number;
    host: string;
    wabaId: string;
    phoneNumberId: string;
    accessToken: string;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
