import { Module, type DynamicModule, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccountsModule, ApiKeysService } from '@app/accounts';
import type { Clock } from '@app/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@app/config';
import { DbModule } from '@app/db';
import { GraphClientModule } from '@app/graph-client';
import { RedisModule } from '@app/redis';
import { TemplatesModule } from '@app/templates';
import { CampaignsModule } from '@app/campaigns';
import { IdempotencyModule } from '@app/idempotency';
import { WebhooksModule } from '@app/webhooks';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { BusinessAccountsController } from './business-accounts/business-accounts.controller';
import { PhoneNumbersController } from './phone-numbers/phone-numbers.controller';
import { TemplatesController } from './templates/templates.controller';
import { CampaignsController } from './campaigns/campaigns.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { HttpMetrics } from './metrics/http-metrics';
import { ApiKeyGuard } from './http/api-key.guard';
import { ErrorFilter } from './http/error.filter';
import { createValidationPipe } from './http/validation';
import { MetaWebhookController } from './webhooks/meta-webhook.controller';
import { AudiencesModule } from '@app/audiences';
import { AudiencesHttpModule } from './audiences/audiences-http.module';
import { ConversionsModule } from '@app/conversions';
import { ReportsModule } from '@app/reports';
import { CampaignReportController } from './reports/campaign-report.controller';
import { ReportsController } from './reports/reports.controller';
import { ConversionsController } from './conversions/conversions.controller';
import { SegmentsModule } from '@app/segments';
import { SegmentsController } from './segments/segments.controller';
import { FrequencyCapController } from './settings/frequency-cap.controller';
import { RateCardsController } from './rate-cards/rate-cards.controller';
import { AuditLogController } from './audit-log/audit-log.controller';
import { WebhookEventsController } from './webhooks/webhook-events.controller';
import { DeadLetterMetrics } from './metrics/dead-letter-metrics';
import { SendSlotMetrics } from './metrics/send-slot-metrics';

@Module({})
export class ApiModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysService,
  ) {}

  static register(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        DbModule,
        RedisModule,
        GraphClientModule,
        TerminusModule,
        AccountsModule,
        TemplatesModule,
        CampaignsModule,
        IdempotencyModule,
        WebhooksModule.forIngest(),
        AudiencesHttpModule,
        AudiencesModule,
        ConversionsModule,
        ReportsModule,
        SegmentsModule,
      ],
      controllers: [
        HealthController,
        MetricsController,
        ApiKeysController,
        BusinessAccountsController,
        PhoneNumbersController,
        TemplatesController,
        CampaignsController,
        MetaWebhookController,
        CampaignReportController,
        ReportsController,
        ConversionsController,
        SegmentsController,
        FrequencyCapController,
        RateCardsController,
        AuditLogController,
        WebhookEventsController,
      ],
      providers: [
        HttpMetrics,
        DeadLetterMetrics,
        SendSlotMetrics,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.apiKey) {
      await this.keys.seedFromEnvironment(this.config.apiKey);
    }
  }
}
