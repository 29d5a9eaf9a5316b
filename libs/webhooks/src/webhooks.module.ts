import { Module, type DynamicModule } from '@nestjs/common';
import { CampaignSendingModule, CampaignsModule } from '@app/campaigns';
import { AccountsModule } from '@app/accounts';
import { ConsentsModule } from '@app/consents';
import { TemplatesModule } from '@app/templates';
import { WebhookEventWriter } from './webhook-event.writer';
import { WebhookEventsListener } from './webhook-events.listener';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookEventsService } from './webhook-events.service';
import { WebhookIngest } from './webhook-ingest.service';
import { WebhookItemsRepository } from './webhook-items.repository';
import { WebhookDeadLetters } from './webhook-dead-letters.service';

/**
 * Webhook ingestion. `forIngest()` is the API side (the group-commit journal writer and the
 * opt-out fence behind POST /webhooks/whatsapp); `forWorker()` drains the journal and applies
 * each item through the library that owns it (campaigns' delivery ledger, consents, templates).
 */
@Module({})
export class WebhooksModule {
  static forIngest(): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [ConsentsModule, AccountsModule],
      providers: [WebhookEventsRepository, WebhookEventWriter, WebhookIngest, WebhookDeadLetters],
      exports: [WebhookIngest, WebhookEventWriter, WebhookDeadLetters],
    };
  }

  static forWorker(): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [CampaignsModule, CampaignSendingModule, ConsentsModule, TemplatesModule],
      providers: [
        WebhookEventsRepository,
        WebhookItemsRepository,
        WebhookEventsService,
        WebhookEventsListener,
      ],
      exports: [WebhookEventsService, WebhookEventsListener],
    };
  }
}
