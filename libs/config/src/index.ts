// The one place that reads the environment: a pure loader that validates every variable once
// and a global Nest provider that hands the typed result to whoever needs it.
export * from './app-config';
export * from './load-config';
export * from './config.module';
export * from './logger';
