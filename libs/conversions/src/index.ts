// Conversions: app events reported by the business, deduplicated by event id and attributed to the
// campaign message that touched the contact last; plus Meta's MM Lite template metrics (benchmarks,
// analytics with conversions) fetched on a schedule for the reports.
export * from './conversions.module';
export * from './conversions.service';
export * from './conversions.types';
export * from './template-insights.service';
export {
  DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  MAX_ATTRIBUTION_WINDOW_DAYS,
  chooseAttribution,
  type Touch,
  type Touchpoint,
  type Attribution,
} from './domain/attribution';
export { MAX_EVENTS_PER_CALL, STANDARD_EVENTS } from './domain/conversion-event';
