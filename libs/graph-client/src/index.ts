// Typed HTTP client for Meta's Graph API (or the sandbox): keep-alive connections, timeouts,
// and every failure turned into one GraphApiError with a category the engine can act on.
export * from './graph-api.error';
export * from './graph-client';
export * from './graph-client.module';
