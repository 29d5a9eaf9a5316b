// Message templates mirrored with Meta: validation as Meta would apply it, submission and sync
// through the Graph API, status/quality/category updates, and the one renderer used to send.
export * from './templates.module';
export * from './templates.service';
export * from './templates.errors';
export * from './templates.types';
export * from './domain/template-model';
export * from './domain/validate-template';
export * from './domain/render-template';
export * from './domain/placeholders';
export * from './domain/links';
export * from './domain/binding-report';
