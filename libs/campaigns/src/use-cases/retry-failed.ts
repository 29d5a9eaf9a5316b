import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type WorkspaceId } from '@app/common';
import { Database } from '@app/db';
import { categorizeGraphError } from '@app/graph-client';
import { CampaignStateService } from '../campaign-state.service';
import { IllegalTransitionError } from '../campaigns.errors';
import { CampaignsRepository } from '../campaigns.repository';
import { CampaignsService } from '../campaigns.service';
import { PER_USER_CAP_RETRY_AFTER_MS, retryClassOf } from '../domain/retry';

export interface RetryOutcome {
  requeued: number;
  /** Failed messages left as they are, by error code: not retryable, or not for these recipients. */
  notRetryable: Record<string, number>;
  /** When the first requeued message may go (null: none requeued). */
  notBefore: Date | null;
}

/**
 * POST /v1/campaigns/:id/retry: failed messages of the same campaign go out again, by the retry
 * class of their error (domain/retry.ts), with the values frozen at the snapshot — never to a
 * contact who opted out since or who got the message. A completed campaign runs again for them.
 */
@Injectable()
export class RetryFailed {
  private readonly logger = new Logger(RetryFailed.name);

  constructor(
    private readonly db: Database,
    private readonly campaigns: CampaignsRepository,
    private readonly service: CampaignsService,
    private readonly state: CampaignStateService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(
    ws: WorkspaceId,
    id: string,
    errorCodes?: readonly number[],
  ): Promise<RetryOutcome> {
    const campaign = await this.service.get(ws, id);
    if (!['running', 'paused', 'completed'].includes(campaign.status)) {
      throw new IllegalTransitionError(campaign.status, 'retry');
    }
    await this.service.requireApprovedTemplate(ws, campaign);
    const now = this.clock.now();
    const out = await this.db.tx(
      async (tx) => {
        const failed = await this.campaigns.failedByCode(tx, id);
        const considered = [...failed.keys()].filter(
          (code) => !errorCodes || errorCodes.includes(code),
        );
        const byClass = { now: [] as number[], afterOnce: [] as number[] };
        for (const code of considered) {
          const cls = retryClassOf(code, categorizeGraphError(code));
          if (cls === 'now') {
            byClass.now.push(code);
          } else if (cls === 'after-24h-once') {
            byClass.afterOnce.push(code);
          }
        }
        const requeued = await this.campaigns.requeueFailed(
          tx,
          id,
          { ...byClass, afterMs: PER_USER_CAP_RETRY_AFTER_MS },
          now,
        );
        const moved =
          requeued.length > 0 && campaign.status === 'completed'
            ? await this.state.move(id, 'retry', 'retry', tx)
            : null;
        return { failed, considered, requeued, moved };
      },
      { retries: 3 },
    );
    const notRetryable: Record<string, number> = {};
    for (const code of out.considered) {
      const left = (out.failed.get(code) ?? 0) - out.requeued.filter((r) => r.code === code).length;
      if (left > 0) {
        notRetryable[String(code)] = left;
      }
    }
    if (out.moved) {
      await this.service.kick(out.moved);
    }
    const times = out.requeued.map((r) => (r.nextAttemptAt ?? now).getTime());
    this.logger.log({ message: 'campaign retry', campaignId: id, requeued: out.requeued.length });
    return {
      requeued: out.requeued.length,
      notRetryable,
      notBefore: times.length > 0 ? new Date(Math.min(...times)) : null,
    };
  }
}
