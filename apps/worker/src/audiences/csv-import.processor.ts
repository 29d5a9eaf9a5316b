import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import {
  AUDIENCE_IMPORT_QUEUE,
  IMPORT_JOB_ATTEMPTS,
  ImportRunner,
  RUN_IMPORT_JOB,
  type RunImportData,
} from '@app/audiences';

/** Runs CSV imports. Two at a time per worker keeps RSS bounded while imports overlap. */
@Processor(AUDIENCE_IMPORT_QUEUE)
export class CsvImportProcessor {
  private readonly logger = new Logger(CsvImportProcessor.name);

  constructor(private readonly runner: ImportRunner) {}

  @Process({ name: RUN_IMPORT_JOB, concurrency: 2 })
  async handle(job: Job<RunImportData>): Promise<string> {
    try {
      return await this.runner.run(job.data.importId);
    } catch (e) {
      const attempts = job.opts.attempts ?? IMPORT_JOB_ATTEMPTS;
      const reason = e instanceof Error ? e.message : String(e);
      this.logger.error({
        message: 'import job failed',
        jobId: job.id,
        importId: job.data.importId,
        attempt: job.attemptsMade + 1,
        reason,
      });
      if (job.attemptsMade + 1 >= attempts) {
        await this.runner.giveUp(
          job.data.importId,
          `internal error after ${attempts} attempts: ${reason}`,
        );
      }
      throw e;
    }
  }
}
