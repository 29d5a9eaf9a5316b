import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StatusTransition, StatusTransitionsHandler } from '@app/webhooks';
import { KnownStatuses, type DeliveryReport } from './known-statuses';
import { OptOutRecorder } from './opt-out.recorder';

/**
 * Campaigns' side of status webhooks: transitions move campaign messages and live counters;
 * 131050 failures are opt-outs. Runs inside the webhook batch transaction, so nothing is applied twice.
 */
@Injectable()
export class DeliveryConsumer implements StatusTransitionsHandler {
  constructor(
    private readonly known: KnownStatuses,
    private readonly optOuts: OptOutRecorder,
  ) {}

  async onTransitions(em: EntityManager, transitions: readonly StatusTransition[]): Promise<void> {
    const reports: DeliveryReport[] = transitions.map((t) => ({
      wamid: t.wamid,
      status: t.status,
      callbackData: t.callbackData,
      sentAt: t.sentAt,
      deliveredAt: t.deliveredAt,
      readAt: t.readAt,
      failedAt: t.failedAt,
      errorCode: t.error?.code ?? null,
      errorTitle: t.error?.title ?? null,
      errorDetails: t.error?.details ?? t.error?.message ?? null,
      pricingCategory: t.pricing?.category ?? null,
      billable: t.pricing?.billable === true || t.pricing?.type === 'regular',
    }));
    await this.known.applyReports(em, reports);
    const optOuts = transitions.filter((t) => t.isOptOut && t.recipientId);
    if (optOuts.length) {
      await this.optOuts.recordByRecipient(
        em,
        optOuts.map((t) => ({
          phoneNumberId: t.phoneNumberId,
          recipient: t.recipientId as string,
          proof: `status ${t.wamid} failed 131050`,
        })),
      );
    }
  }
}
