import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { TemplateInsightsService } from '@app/conversions';

const NAME = 'template-insights-tick';

/**
 * Fetches MM Lite benchmarks and template analytics for the templates of recent campaigns. Runs on
 * every worker; each template is claimed atomically per refresh period, so N workers fetch once.
 */
@Injectable()
export class TemplateInsightsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TemplateInsightsScheduler.name);
  private busy = false;

  constructor(
    private readonly insights: TemplateInsightsService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval(
      NAME,
      setInterval(() => void this.tick(), this.config.reports.insightsTickMs),
    );
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', NAME)) {
      this.registry.deleteInterval(NAME);
    }
  }

  async tick(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      await this.insights.refreshDue();
    } catch (e) {
      this.logger.error({
        message: 'template insights tick failed',
        error: e instanceof Error ? e.stack : String(e),
      });
    } finally {
      this.busy = false;
    }
  }
}
