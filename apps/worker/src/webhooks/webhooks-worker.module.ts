import { Module, type DynamicModule } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { WebhookEventProcessor } from './webhook-event.processor';

/**
 * The worker's webhook side: drain loops over the journal (the dispatcher lives in
 * @app/webhooks), only where the worker has the `statuses` role.
 */
@Module({})
export class WebhooksWorkerModule {
  static register(applyStatuses: boolean): DynamicModule {
    return {
      module: WebhooksWorkerModule,
      imports: [WebhooksModule.forWorker()],
      providers: applyStatuses ? [WebhookEventProcessor] : [],
      // The campaigns tick reads how far the journal is behind before it resends anything.
      exports: [WebhooksModule],
    };
  }
}
