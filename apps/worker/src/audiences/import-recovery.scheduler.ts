import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ImportsService } from '@app/audiences';

/**
 * Restarts imports whose worker died (their lease lapsed) or whose job never reached Redis.
 * Runs on every worker; the SQL claim makes one of them win. The period follows IMPORT_LEASE_MS.
 */
@Injectable()
export class ImportRecoveryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportRecoveryScheduler.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(250, Math.floor(this.config.imports.leaseMs / 2));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
    void this.tick();
  }

  onModuleDestroy(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  async tick(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      await this.imports.recoverStale();
    } catch (e) {
      this.logger.warn({
        message: 'import recovery scan failed',
        reason: e instanceof Error ? e.message : String(e),
      });
    } finally {
      this.running = false;
    }
  }
}
