import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ImportsService } from '@app/audiences';
import { RepeatingTask } from '../schedule/repeating-task';

/**
 * Restarts imports whose worker died (their lease lapsed) or whose job never reached Redis.
 * Runs on every worker; the SQL claim makes one of them win. The period follows IMPORT_LEASE_MS.
 */
@Injectable()
export class ImportRecoveryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RepeatingTask;

  constructor(
    imports: ImportsService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.task = new RepeatingTask(
      'import-recovery',
      Math.max(250, Math.floor(config.imports.leaseMs / 2)),
      () => imports.recoverStale(),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.registry, { runNow: true });
  }

  onModuleDestroy(): void {
    this.task.stop(this.registry);
  }
}
