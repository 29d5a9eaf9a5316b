// The consent ledger: append-only opt-in/opt-out entries (a DB trigger refuses UPDATE/DELETE),
// and each contact's current consent derived from it by one pure rule (domain/consent-rule.ts).
export * from './consents.module';
export * from './consents.service';
export * from './consent-fence';
export * from './consents.types';
export * from './domain/consent-rule';
