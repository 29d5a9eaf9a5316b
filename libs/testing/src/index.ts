// Test-only helpers: the per-run database harness and configs pointing at it. Imported by tests
// only, never by application code; booting the apps is test/support's job (it may import apps/).
export * from './test-env';
export * from './fixtures';
