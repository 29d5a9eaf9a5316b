import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
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
import { OptOutRecorder } from './opt-out.recorder';
import {
  InboundConsumer,
  TemplateEventsConsumer,
  UserPreferencesConsumer,
} from './webhook-consumers';

@Module({
  imports: [
    BullModule.registerQueue({ name: CAMPAIGNS_QUEUE }),
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
