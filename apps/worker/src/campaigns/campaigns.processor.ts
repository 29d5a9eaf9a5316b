import { Process, Processor } from '@nestjs/bull';
import { type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bull';
import {
  CAMPAIGNS_QUEUE,
  CampaignOperations,
  LANE_JOB,
  START_JOB,
  TARGET_JOB,
  type LaneData,
  type StartData,
  type TargetData,
} from '@app/campaigns';

/** Lanes keep sending in one job while work is due soon; longer waits end the job (the tick re-adds it). */
const MAX_INLINE_WAIT_MS = 1000;
const MAX_JOB_MS = 60_000;

@Processor(CAMPAIGNS_QUEUE)
export class CampaignsProcessor implements OnModuleDestroy, BeforeApplicationShutdown {
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();

  constructor(private readonly ops: CampaignOperations) {}

  onModuleDestroy(): void {
    // SIGTERM: lanes finish the batch in hand and return; bull then lets the jobs complete.
    this.stopping = true;
    this.ops.stopSending();
  }

  /** Runs before the database and Redis close: in-flight batches write their outcomes first. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  @Process({ name: TARGET_JOB, concurrency: 2 })
  async target(job: Job<TargetData>): Promise<void> {
    await this.ops.target(job.data.campaignId);
  }

  @Process({ name: START_JOB, concurrency: 2 })
  async start(job: Job<StartData>): Promise<void> {
    await this.ops.startDue();
    void job;
  }

  @Process({ name: LANE_JOB, concurrency: 16 })
  lane(job: Job<LaneData>): Promise<string> {
    const run = this.runLane(job);
    this.active.add(run);
    void run.finally(() => this.active.delete(run));
    return run;
  }

  private async runLane(job: Job<LaneData>): Promise<string> {
    const started = Date.now();
    for (;;) {
      const outcome = await this.ops.runLane(job.data.campaignId);
      if (outcome.kind !== 'again') {
        return outcome.kind;
      }
      if (
        this.stopping ||
        outcome.delayMs > MAX_INLINE_WAIT_MS ||
        Date.now() - started > MAX_JOB_MS
      ) {
        return `again in ${outcome.delayMs} ms`;
      }
      await new Promise((r) => setTimeout(r, outcome.delayMs));
    }
  }
}
