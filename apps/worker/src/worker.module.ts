import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CampaignSendingModule, CampaignsModule } from '@app/campaigns';
import type { Clock } from '@app/common';
import { ConfigModule, type AppConfig, type WorkerRole } from '@app/config';
import { DbModule } from '@app/db';
import { GraphClientModule } from '@app/graph-client';
import { RedisModule } from '@app/redis';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';
import { CampaignsProcessor } from './campaigns/campaigns.processor';
import { CampaignsScheduler } from './campaigns/campaigns.scheduler';
import { AudiencesWorkerModule } from './audiences/audiences-worker.module';
import { ConversionsModule } from '@app/conversions';
import { TemplateInsightsScheduler } from './reports/template-insights.scheduler';

/**
 * Bull processors and schedules; no HTTP port. WORKER_ROLES picks which of them this process runs
 * (all by default); the modules they use are wired either way.
 */
@Module({})
export class WorkerModule {
  static register(config: AppConfig, clock?: Clock): DynamicModule {
    const has = (role: WorkerRole): boolean => config.worker.roles.includes(role);
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
        WebhooksWorkerModule.register(has('statuses')),
        AudiencesWorkerModule.register(has('imports')),
        ConversionsModule,
      ],
      providers: has('campaigns')
        ? [CampaignsProcessor, CampaignsScheduler, TemplateInsightsScheduler]
        : [],
    };
  }
}
