import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns.module';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryService } from '../delivery/delivery.service';
import { MetaClicksRepository } from '../links/meta-clicks.repository';
import { CampaignRunner } from './campaign-runner';
import { CampaignSender } from './campaign-sender';
import { InDoubtReconciler } from './in-doubt.reconciler';
import { SendFence } from './send-fence';
import { WorkerLease } from './worker-lease';

/**
 * What only the worker runs: send lanes, reconciliation of sends in doubt, this process's lease,
 * snapshots and schedules, the delivery-status ledger that status webhooks are applied to, and Meta's link clicks.
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
    SendFence,
    WorkerLease,
  ],
  exports: [DeliveryService, CampaignSender, CampaignRunner, InDoubtReconciler],
})
export class CampaignSendingModule {}
