// Reports: campaign funnel, failures, conversions, spend and MM Lite benchmarks; the workspace
// overview; CSV exports. Read-only SQL over every concept's tables; imports no other service.
export * from './reports.module';
export * from './reports.service';
export * from './reports.types';
export * from './domain/report-math';
export { csvCell, csvLine, type CsvValue } from './domain/csv';
