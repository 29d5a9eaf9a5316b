import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { WebhookEventProcessor } from './webhook-event.processor';

/** The worker's webhook side: drain loops over the journal (the dispatcher lives in @app/webhooks). */
@Module({
  imports: [WebhooksModule.forWorker()],
  providers: [WebhookEventProcessor],
  // The campaigns tick reads how far the journal is behind before it resends anything.
  exports: [WebhooksModule],
})
export class WebhooksWorkerModule {}
