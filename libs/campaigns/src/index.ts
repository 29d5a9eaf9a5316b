// Campaigns: lifecycle and scheduling, the audience snapshot, batched MM Lite sends through the
// throughput governor (exactly one accepted send per contact), delivery reports and live counts.
export * from './campaigns.module';
export * from './campaigns.service';
export * from './campaign-planner';
export * from './campaign-operations';
export * from './delivery.consumer';
export * from './campaigns.errors';
export * from './campaigns.types';
export * from './campaigns.queue';
export * from './domain/campaign-status';
export * from './domain/message-status';
export * from './domain/send-window';
export * from './domain/plan';
export * from './webhook-consumers';
