// Test-only helpers: the per-run database harness, configs pointing at it, and boot helpers
// for the real apps. Imported by tests only, never by application code.
export * from './test-env';
export * from './apps';
