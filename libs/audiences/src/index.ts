// Contacts (one per workspace and E.164 phone), audiences with exact member counts, and
// streaming CSV imports stored in Postgres and run by the worker with crash-safe checkpoints.
export * from './audiences.module';
export * from './audiences.types';
export * from './audiences.errors';
export * from './audiences.queue';
export * from './contacts.service';
export * from './audiences.service';
export * from './imports.service';
export * from './import-runner';
export * from './import-consent.port';
export { OPTED_IN_AUDIENCE_MEMBERS_SQL } from './audiences.repository';
export { normalizePhone, isUsRecipient, usAreaCodes, type PhoneResult } from './domain/phone';
export { mappingProblems, type ImportMapping, type Delimiter } from './domain/csv-columns';
