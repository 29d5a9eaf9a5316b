import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type WorkspaceId } from '@app/common';
import { CampaignsRepository } from '../campaigns.repository';
import { CampaignsService } from '../campaigns.service';
import { VariantNotFoundError, WinnerAlreadyDecidedError } from '../campaigns.errors';
import type { CampaignRecord, WinnerDecision } from '../campaigns.types';
import { decideWinner, type AbMetric, type VariantResult } from '../domain/ab-test';

type Results = Awaited<ReturnType<CampaignsRepository['variantResults']>>;

/** Delivered test messages with the metric's outcome. */
function successes(r: Results[number], metric: AbMetric): number {
  return metric === 'read' ? r.read : metric === 'click' ? r.clicked : r.converted;
}

/**
 * The winner of a campaign's A/B test: decided by the rule on the worker's tick (after
 * decideAfterMinutes, two-proportion z-test, else the first variant), or promoted by hand
 * (POST /v1/campaigns/:id/variants/:key/promote). Once set it never changes; the rest of the
 * target is then sent with it.
 */
@Injectable()
export class AbTestWinner {
  private readonly logger = new Logger(AbTestWinner.name);

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly service: CampaignsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async promote(ws: WorkspaceId, id: string, key: string): Promise<CampaignRecord> {
    const c = await this.service.get(ws, id);
    if (!c.variants.some((v) => v.key === key)) {
      throw new VariantNotFoundError(id, key);
    }
    if (c.winnerKey) {
      throw new WinnerAlreadyDecidedError(id, c.winnerKey);
    }
    const metric = c.abTest?.metric ?? 'read';
    const decision: WinnerDecision = {
      by: 'hand',
      metric,
      pValue: null,
      significant: false,
      results: this.figures(await this.campaigns.variantResults(id), metric),
    };
    if (!(await this.campaigns.setWinner(id, key, decision, this.clock.now()))) {
      const now = await this.service.get(ws, id);
      throw new WinnerAlreadyDecidedError(id, now.winnerKey ?? '?');
    }
    this.logger.log({ message: 'A/B winner promoted', campaignId: id, winner: key });
    return this.afterDecision(await this.service.get(ws, id));
  }

  /** The tick: decides every running A/B test whose time has come. Safe on any number of workers. */
  async decideDue(): Promise<number> {
    let decided = 0;
    for (const id of await this.campaigns.undecidedAbTests()) {
      const c = await this.campaigns.findById(id);
      if (!c?.abTest || !c.startedAt || c.winnerKey) {
        continue;
      }
      const rows = await this.campaigns.variantResults(id);
      const results: VariantResult[] = c.variants.map((v) => {
        const r = rows.find((x) => x.variant === v.key);
        return {
          key: v.key,
          position: v.position,
          delivered: r?.delivered ?? 0,
          successes: r ? successes(r, c.abTest!.metric) : 0,
          unsettled: r?.unsettled ?? 0,
        };
      });
      const d = decideWinner(results, c.abTest, this.clock.now().getTime() - c.startedAt.getTime());
      if (!d.ready) {
        continue;
      }
      const decision: WinnerDecision = {
        by: 'rule',
        metric: c.abTest.metric,
        pValue: d.pValue,
        significant: d.significant,
        results: this.figures(rows, c.abTest.metric),
      };
      if (await this.campaigns.setWinner(id, d.winner, decision, this.clock.now())) {
        decided++;
        this.logger.log({
          message: 'A/B winner decided',
          campaignId: id,
          winner: d.winner,
          pValue: d.pValue,
        });
        const after = await this.campaigns.findById(id);
        if (after) {
          await this.afterDecision(after);
        }
      }
    }
    return decided;
  }

  private figures(rows: Results, metric: AbMetric): WinnerDecision['results'] {
    return rows.map((r) => ({
      key: r.variant,
      delivered: r.delivered,
      successes: successes(r, metric),
    }));
  }

  /** The rest of the target may go now: its lanes start (idempotent) if it is running. */
  private async afterDecision(c: CampaignRecord): Promise<CampaignRecord> {
    if (c.status === 'running') {
      await this.service.kick(c);
    }
    return c;
  }
}
