import { Process, Processor } from '@nestjs/bull';
import { type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bull';
import {
  CAMPAIGNS_QUEUE,
  CampaignRunner,
  CampaignSender,
  LANE_JOB,
  TARGET_JOB,
  type LaneData,
  type TargetData,
} from '@app/campaigns';
import { SendGate } from '@app/governor';

@Processor(CAMPAIGNS_QUEUE)
export class CampaignsProcessor implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly active = new Set<Promise<unknown>>();

  constructor(
    private readonly runner: CampaignRunner,
    private readonly sender: CampaignSender,
    private readonly gate: SendGate,
  ) {}

  onModuleDestroy(): void {
    // SIGTERM: lanes book no more slots; what is in flight is answered and written, then bull completes the jobs.
    this.sender.stop();
  }

  /** Runs before the database and Redis close: in-flight sends write their outcomes first. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.active]);
    // The last second's slot counts (/metrics), before Redis closes.
    await this.gate.flushCounts();
  }

  @Process({ name: TARGET_JOB, concurrency: 2 })
  async target(job: Job<TargetData>): Promise<void> {
    await this.runner.target(job.data.campaignId);
  }

  /** One lane runs until nothing is due now; the tick enqueues it again (same job id). */
  @Process({ name: LANE_JOB, concurrency: 16 })
  lane(job: Job<LaneData>): Promise<string> {
    const run = this.sender.runLane(job.data.campaignId);
    this.active.add(run);
    // Both ways: a lane that fails fails its job (bull has `run`), never the process.
    const forget = (): void => void this.active.delete(run);
    run.then(forget, forget);
    return run;
  }
}
