// Idempotency-Key support for mutating POSTs that start work: the first answer is stored per
// (workspace, scope, key) with a hash of the request; replays get it back, work runs once.
export * from './idempotency.module';
export * from './idempotency.store';
export * from './idempotency.errors';
