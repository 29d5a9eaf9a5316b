/** The CSV-import queue: one job per import (restarts get a new job id), run by the worker. */
export const AUDIENCE_IMPORT_QUEUE = 'audience-import';
export const RUN_IMPORT_JOB = 'run-import';

export interface RunImportData {
  v: 1;
  importId: string;
}

export const IMPORT_JOB_ATTEMPTS = 3;

export function importJobId(importId: string, restarts: number): string {
  return `import:${importId}:${restarts}`;
}
