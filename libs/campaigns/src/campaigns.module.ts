import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AudiencesModule } from '@app/audiences';
import { ConsentsModule } from '@app/consents';
import { GovernorModule } from '@app/governor';
import { TemplatesModule } from '@app/templates';
import { CampaignOperations } from './campaign-operations';
import { CampaignPlanner } from './campaign-planner';
import { CampaignSender } from './campaign-sender';
import { CampaignStateService } from './campaign-state.service';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CAMPAIGNS_QUEUE } from './campaigns.queue';
import { DeliveryConsumer } from './delivery.consumer';
import { KnownStatuses } from './known-statuses';
import { WorkerLease } from './worker-lease';
import { OptOutRecorder } from './opt-out.recorder';
import {
  InboundConsumer,
  TemplateEventsConsumer,
  UserPreferencesConsumer,
} from './webhook-consumers';

@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: CAMPAIGNS_QUEUE,
      inject: [APP_CONFIG],
      // A dead worker's lane jobs must come back quickly: bull's lock follows the worker lease.
      useFactory: (config: AppConfig) => {
        const lockDuration = Math.max(5000, config.campaigns.workerLeaseTtlMs);
        return {
          settings: {
            lockDuration,
            stalledInterval: Math.floor(lockDuration / 2),
            maxStalledCount: 1000,
          },
        };
      },
    }),
    AccountsModule,
    AudiencesModule,
    ConsentsModule,
    GovernorModule,
    TemplatesModule,
  ],
  providers: [
    CampaignsRepository,
    CampaignsService,
    CampaignStateService,
    CampaignSender,
    CampaignOperations,
    CampaignPlanner,
    KnownStatuses,
    WorkerLease,
    OptOutRecorder,
    DeliveryConsumer,
    InboundConsumer,
    TemplateEventsConsumer,
    UserPreferencesConsumer,
  ],
  exports: [
    CampaignsService,
    CampaignPlanner,
    CampaignOperations,
    DeliveryConsumer,
    InboundConsumer,
    TemplateEventsConsumer,
    UserPreferencesConsumer,
  ],
})
export class CampaignsModule {}
