import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ConsentsService } from '@app/consents';
import { compileOptOutRules, type CompiledOptOutRules } from './domain/opt-out';
import { optOutsAtIngest } from './domain/webhook-payload';
import { WebhookEventWriter } from './webhook-event.writer';

/**
 * The API's side of a webhook POST: the payload is committed to the journal, and the opt-outs
 * it carries are fenced (no request for those contacts leaves any worker from then on), before
 * Meta gets its 200. The worker applies the payload — ledger, statuses, everything — afterwards.
 */
@Injectable()
export class WebhookIngest {
  private readonly rules: CompiledOptOutRules;

  constructor(
    private readonly writer: WebhookEventWriter,
    private readonly consents: ConsentsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rules = compileOptOutRules(config.webhook);
  }

  async receive(body: Buffer, requestId: string | null): Promise<void> {
    await this.writer.append(body, requestId);
    await this.consents.fenceWebhookOptOuts(optOutsAtIngest(body, this.rules));
  }
}
