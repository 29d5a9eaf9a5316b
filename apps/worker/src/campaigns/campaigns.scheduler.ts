import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  AbTestWinner,
  CampaignRunner,
  ClickProjection,
  CounterDeltas,
  InDoubtReconciler,
  MessageExpiry,
} from '@app/campaigns';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { WebhookEventsService } from '@app/webhooks';
import { RepeatingTask } from '../schedule/repeating-task';

/** How often the count deltas are folded into the counters rows (campaign_counts sums the rest). */
const FOLD_EVERY_MS = 1000;

/**
 * The campaigns tick, on every worker (correctness comes from atomic SQL claims, not from there
 * being one worker): start due schedules, settle sends in doubt, expire sends past their TTL, carry tracked-link clicks over to their
 * messages, decide A/B tests whose time has come (the winner is set once, whoever gets there first), and keep running campaigns'
 * lanes enqueued (after a crash, a restart, or a lane that found nothing due yet).
 */
@Injectable()
export class CampaignsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RepeatingTask;
  private readonly fold: RepeatingTask;

  constructor(
    runner: CampaignRunner,
    reconciler: InDoubtReconciler,
    abTests: AbTestWinner,
    clicks: ClickProjection,
    expiry: MessageExpiry,
    journal: WebhookEventsService,
    deltas: CounterDeltas,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.task = new RepeatingTask('campaigns-tick', config.campaigns.schedulerTickMs, async () => {
      await runner.startDue();
      // Resends wait for the status journal to catch up: a proof may sit in it unapplied.
      await reconciler.run(() => journal.pendingLagMs());
      await clicks.run();
      // Sends Meta dropped undelivered at their TTL (no webhook says so).
      await expiry.run(() => journal.pendingLagMs());
      await abTests.decideDue();
      await runner.keepRunning();
    });
    // Apart from the tick: a slow tick must not let the deltas every reader sums pile up.
    this.fold = new RepeatingTask('counter-deltas-fold', FOLD_EVERY_MS, () => deltas.fold());
  }

  onApplicationBootstrap(): void {
    this.task.start(this.registry);
    this.fold.start(this.registry);
  }

  onModuleDestroy(): void {
    this.task.stop(this.registry);
    this.fold.stop(this.registry);
  }
}
