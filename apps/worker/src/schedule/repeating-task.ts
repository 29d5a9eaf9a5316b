import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';

/**
 * A periodic job of this worker: runs `work` every `everyMs`, never overlapping itself (a slow
 * run makes the next ticks skip), and logs a failure instead of stopping. Registered with
 * @nestjs/schedule's registry so it is listed and cleared with the others. Every worker runs its
 * own copy; what the work claims must be atomic in SQL (STYLE.md: cron on every instance).
 */
export class RepeatingTask {
  private readonly logger: Logger;
  private running = false;

  constructor(
    private readonly name: string,
    private readonly everyMs: number,
    private readonly work: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(registry: SchedulerRegistry, opts: { runNow?: boolean } = {}): void {
    const timer = setInterval(() => void this.run(), this.everyMs);
    timer.unref();
    registry.addInterval(this.name, timer);
    if (opts.runNow) {
      void this.run();
    }
  }

  stop(registry: SchedulerRegistry): void {
    if (registry.doesExist('interval', this.name)) {
      registry.deleteInterval(this.name);
    }
  }

  async run(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      await this.work();
    } catch (e) {
      this.logger.error({
        message: `${this.name} failed`,
        error: e instanceof Error ? e.stack : String(e),
      });
    } finally {
      this.running = false;
    }
  }
}
