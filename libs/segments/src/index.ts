// Who a campaign can reach: segments (a JSON filter tree over contacts, validated and compiled
// to parameterised SQL), campaign targets with exclusions, eligibility and the frequency cap.
export * from './segments.module';
export * from './segments.service';
export * from './segments.errors';
export * from './segments.types';
export * from './domain/segment-filter';
export {
  compileFilter,
  driverOf,
  eligibleSql,
  cappedSql,
  outcomeSql,
  usPhoneSql,
  ACCEPTED_SQL,
  MESSAGED_SQL,
  MESSAGED_AT_SQL,
  SqlParams,
  type CapWindow,
  type FilterDriver,
} from './domain/compile-filter';
