import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CampaignSendingModule, CampaignsModule } from '@app/campaigns';
import type { Clock } from '@app/common';
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
  static register(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        ScheduleModule.forRoot(),
        DbModule,
        RedisModule,
        GraphClientModule,
        CampaignsModule,
        CampaignSendingModule,
        WebhooksWorkerModule,
        AudiencesWorkerModule,
        ConversionsModule,
      ],
      providers: [CampaignsProcessor, CampaignsScheduler, TemplateInsightsScheduler],
    };
  }
}
