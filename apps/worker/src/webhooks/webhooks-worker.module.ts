import { Module, type DynamicModule } from '@nestjs/common';
import { WebhooksModule, type WebhooksModuleOptions } from '@app/webhooks';
import { WebhookEventProcessor } from './webhook-event.processor';

/**
 * The worker's webhook side. The consumers (campaigns, consents, templates) are wired here:
 * `WebhooksWorkerModule.register({ imports: [CampaignsModule], handlers: { statusTransitions: … } })`.
 */
@Module({})
export class WebhooksWorkerModule {
  static register(options: WebhooksModuleOptions = {}): DynamicModule {
    return {
      module: WebhooksWorkerModule,
      imports: [WebhooksModule.forRoot(options)],
      providers: [WebhookEventProcessor],
    };
  }
}
