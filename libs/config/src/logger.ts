import { ConsoleLogger } from '@nestjs/common';
import type { AppConfig } from './app-config';

const LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Nest's own logger: JSON lines in production and tests, coloured text in development. */
export function createLogger(
  config: Pick<AppConfig, 'logJson' | 'logLevel'>,
  context: string,
): ConsoleLogger {
  return new ConsoleLogger(context, {
    json: config.logJson,
    colors: !config.logJson,
    logLevels: [...LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1)],
  });
}
