import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  CampaignsModule,
  DeliveryConsumer,
  InboundConsumer,
  TemplateEventsConsumer,
  UserPreferencesConsumer,
} from '@app/campaigns';
import { ConfigModule, type AppConfig } from '@app/config';
import { DbModule } from '@app/db';
import { GraphClientModule } from '@app/graph-client';
import { RedisModule } from '@app/redis';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';
import { CampaignsProcessor } from './campaigns/campaigns.processor';
import { CampaignsScheduler } from './campaigns/campaigns.scheduler';
import { AudiencesWorkerModule } from './audiences/audiences-worker.module';
import { ConversionsModule } from '@app/conversions';
import { TemplateInsightsScheduler } from './reports/template-insights.scheduler';

/** Bull processors and schedules; no HTTP port. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        DbModule,
        RedisModule,
        GraphClientModule,
        CampaignsModule,
        WebhooksWorkerModule.register({
          imports: [CampaignsModule],
          handlers: {
            statusTransitions: DeliveryConsumer,
            inboundMessages: InboundConsumer,
            templateEvents: TemplateEventsConsumer,
            userPreferences: UserPreferencesConsumer,
          },
        }),
        AudiencesWorkerModule,
        ConversionsModule,
      ],
      providers: [CampaignsProcessor, CampaignsScheduler, TemplateInsightsScheduler],
    };
  }
}
