import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AudiencesModule } from '@app/audiences';
import { ConsentsModule } from '@app/consents';
import { GovernorModule } from '@app/governor';
import { IdempotencyModule } from '@app/idempotency';
import { SegmentsModule } from '@app/segments';
import { TemplatesModule } from '@app/templates';
import { CampaignPlanner } from './campaign-planner';
import { CampaignStateService } from './campaign-state.service';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CAMPAIGNS_QUEUE } from './campaigns.queue';
import { RetryFailed } from './use-cases/retry-failed';
import { TrackedLinks } from './links/tracked-links';
import { LinkClicksRepository } from './links/link-clicks.repository';
import { LinkRedirects } from './links/link-redirects.service';
import { ClickProjection } from './links/click-projection';
import { RateCardsRepository } from './pricing/rate-cards.repository';
import { RateCardsService } from './pricing/rate-cards.service';
import { AbTestWinner } from './use-cases/ab-test-winner';
import { DeleteTemplate } from './use-cases/delete-template';
import { CheckBindings } from './use-cases/check-bindings';
import { BindingScanRepository } from './binding-scan.repository';

/**
 * Campaigns as the API needs them: create, plan, test-send, launch, pause, resume, cancel, read.
 * The worker adds CampaignSendingModule (sending, reconciliation, lease, status apply).
 */
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
    IdempotencyModule,
    SegmentsModule,
    TemplatesModule,
  ],
  providers: [
    CampaignsRepository,
    CampaignsService,
    CampaignStateService,
    CampaignPlanner,
    RetryFailed,
    DeleteTemplate,
    TrackedLinks,
    LinkClicksRepository,
    LinkRedirects,
    ClickProjection,
    AbTestWinner,
    CheckBindings,
    BindingScanRepository,
    RateCardsRepository,
    RateCardsService,
  ],
  exports: [
    CampaignsRepository,
    DeleteTemplate,
    CampaignsService,
    CampaignStateService,
    CampaignPlanner,
    RetryFailed,
    TrackedLinks,
    LinkRedirects,
    ClickProjection,
    AbTestWinner,
    RateCardsService,
    AccountsModule,
    ConsentsModule,
    GovernorModule,
    SegmentsModule,
    TemplatesModule,
  ],
})
export class CampaignsModule {}
