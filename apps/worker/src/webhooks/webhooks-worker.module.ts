import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { WebhookEventProcessor } from './webhook-event.processor';

/** The worker's webhook side: drain loops over the journal (the dispatcher lives in @app/webhooks). */
@Module({
  imports: [WebhooksModule.forWorker()],
  providers: [WebhookEventProcessor],
})
export class WebhooksWorkerModule {}
