import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CampaignOperations } from '@app/campaigns';
import { APP_CONFIG, type AppConfig } from '@app/config';

/**
 * The campaigns tick, on every worker (correctness comes from atomic SQL claims, not from there
 * being one worker): start due schedules, keep running campaigns' lanes enqueued (after a crash,
 * a restart or a lost job), and settle sends whose outcome is in doubt.
 */
@Injectable()
export class CampaignsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignsScheduler.name);
  private busy = false;

  constructor(
    private readonly ops: CampaignOperations,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.tick(), this.config.campaigns.schedulerTickMs);
    this.registry.addInterval('campaigns-tick', timer);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', 'campaigns-tick')) {
      this.registry.deleteInterval('campaigns-tick');
    }
  }

  async tick(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      await this.ops.startDue();
      await this.ops.reconcileInDoubt();
      await this.ops.pump();
    } catch (e) {
      this.logger.error({
        message: 'campaigns tick failed',
        error: e instanceof Error ? e.stack : String(e),
      });
    } finally {
      this.busy = false;
    }
  }
}
