// Meta Graph API shapes (requests, responses, webhooks) and error codes, shared by the engine's
// Graph client and the sandbox so both sides speak exactly the same contract.
export * from './errors';
export * from './phone-numbers';
export * from './paging';
export * from './messages';
export * from './templates';
export * from './template-params';
export * from './webhooks';
export * from './analytics';
export * from './signature';
