// Tenancy and Meta accounts: workspaces and their API keys, WhatsApp business accounts
// (access tokens sealed at rest) and the phone numbers they send from.
export * from './accounts.module';
export * from './api-keys.service';
export * from './business-accounts.service';
export * from './accounts.errors';
export * from './accounts.types';
export * from './waba-call-budget';
export * from './api-key-rate-limit';
export * from './audit-log.service';
export * from './domain/rate-limit';
export * from './domain/roles';
