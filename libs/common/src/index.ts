// Small, framework-free building blocks shared by every library and app:
// clock, domain errors, branded ids, secrets at rest, phone masking and cursors.
export * from './clock';
export * from './domain-error';
export * from './ids';
export * from './secret-box';
export * from './mask';
export * from './cursor';
export * from './wa-id';
export * from './group-commit';
export * from './statistics';
