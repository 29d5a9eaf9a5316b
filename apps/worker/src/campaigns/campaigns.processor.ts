import { Process, Processor } from '@nestjs/bull';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
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
export class CampaignsProcessor implements OnModuleDestroy {
  private readonly logger = new Logger(CampaignsProcessor.name);
  private stopping = false;

  constructor(private readonly ops: CampaignOperations) {}

  onModuleDestroy(): void {
    // SIGTERM: lanes finish the batch in hand and return; bull then lets the jobs complete.
    this.stopping = true;
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
  async lane(job: Job<LaneData>): Promise<string> {
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
