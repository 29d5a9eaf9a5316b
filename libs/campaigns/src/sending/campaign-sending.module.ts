import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns.module';
import { CounterDeltas } from '../delivery/counter-deltas';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryService } from '../delivery/delivery.service';
import { MessageExpiry } from '../delivery/message-expiry';
import { MetaClicksRepository } from '../links/meta-clicks.repository';
import { CampaignRunner } from './campaign-runner';
import { CampaignSender } from './campaign-sender';
import { InDoubtReconciler } from './in-doubt.reconciler';
import { SendFence } from './send-fence';
import { WorkerLease } from './worker-lease';

/**
 * What only the worker runs: send lanes, reconciliation of sends in doubt, the TTL expiry tick,
 * this process's lease, snapshots and schedules, the folding of count deltas, the delivery-status
 * ledger that status webhooks are applied to, and Meta's link clicks.
 */
@Module({
  imports: [CampaignsModule],
  providers: [
    DeliveryRepository,
    DeliveryService,
    MetaClicksRepository,
    CampaignSender,
    CampaignRunner,
    InDoubtReconciler,
    MessageExpiry,
    CounterDeltas,
    SendFence,
    WorkerLease,
  ],
  exports: [
    DeliveryService,
    CampaignSender,
    CampaignRunner,
    InDoubtReconciler,
    MessageExpiry,
    CounterDeltas,
  ],
})
export class CampaignSendingModule {}
