import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { TemplateInsightsService } from '@app/conversions';
import { RepeatingTask } from '../schedule/repeating-task';

/**
 * Fetches MM Lite benchmarks and template analytics for the templates of recent campaigns. Runs on
 * every worker; each template is claimed atomically per refresh period, so N workers fetch once.
 */
@Injectable()
export class TemplateInsightsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RepeatingTask;

  constructor(
    insights: TemplateInsightsService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.task = new RepeatingTask('template-insights-tick', config.reports.insightsTickMs, () =>
      insights.refreshDue(),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.registry);
  }

  onModuleDestroy(): void {
    this.task.stop(this.registry);
  }
}
