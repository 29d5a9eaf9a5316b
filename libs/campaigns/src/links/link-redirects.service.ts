import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, GroupCommit, type Clock } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { linkTargets } from '@app/templates';
import { CampaignsRepository } from '../campaigns.repository';
import type { CampaignRecord } from '../campaigns.types';
import { isPreviewFetch, redirectTarget } from '../domain/redirect';
import {
  LinkClicksRepository,
  type ClickedMessage,
  type ClickInput,
} from './link-clicks.repository';
import { bindingsOf, TrackedLinks } from './tracked-links';

export type RedirectAnswer =
  | { kind: 'redirect'; location: string; counted: boolean }
  | { kind: 'not-found'; why: 'unknown' | 'expired' }
  | { kind: 'busy' };

interface Pending {
  click: ClickInput;
  found?: ClickedMessage | null;
}

/** Campaign names and bindings change rarely; a redirect should not read them every time. */
const CAMPAIGN_CACHE_MS = 30_000;
const CAMPAIGN_CACHE_SIZE = 1000;

/**
 * GET /r/:token: the click is stored (group commit: one statement for every redirect in flight)
 * before the 302 leaves, so no answered click is lost when the API dies right after. Link
 * previews and HEAD are looked up the same way but not counted.
 */
@Injectable()
export class LinkRedirects implements OnModuleDestroy {
  private readonly group: GroupCommit<Pending>;
  private readonly cache = new Map<string, { at: number; campaign: CampaignRecord }>();

  constructor(
    private readonly clicks: LinkClicksRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly links: TrackedLinks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.group = new GroupCommit(
      async (batch) => {
        const found = await this.clicks.record(
          batch.map((p) => p.click),
          this.config.links.ttlDays,
        );
        const byId = new Map(found.map((f) => [f.messageId, f]));
        for (const p of batch) {
          p.found = byId.get(p.click.messageId) ?? null;
        }
      },
      {
        maxConcurrentWrites: 4,
        maxBatchItems: 500,
        maxBatchWeight: 500,
        maxPendingItems: 20_000,
        maxPendingWeight: 20_000,
      },
    );
  }

  async follow(
    token: string,
    req: { method: string; userAgent: string | undefined; fbclid: string | null },
  ): Promise<RedirectAnswer> {
    const decoded = this.links.decode(token);
    if (!decoded) {
      return { kind: 'not-found', why: 'unknown' };
    }
    const counted = !isPreviewFetch(req.method, req.userAgent);
    const pending: Pending = {
      click: { ...decoded, at: this.clock.now(), record: counted },
    };
    if (!this.group.hasRoomFor(pending)) {
      return { kind: 'busy' };
    }
    await this.group.append(pending);
    const found = pending.found;
    if (!found) {
      return { kind: 'not-found', why: 'unknown' };
    }
    if (found.expired) {
      return { kind: 'not-found', why: 'expired' };
    }
    const campaign = await this.campaign(found.campaignId);
    const target = campaign
      ? linkTargets(bindingsOf(campaign, found.variant))[decoded.linkIndex]
      : undefined;
    if (!campaign || target === undefined) {
      return { kind: 'not-found', why: 'unknown' };
    }
    return {
      kind: 'redirect',
      location: redirectTarget(target, {
        campaignName: campaign.name,
        variant: found.variant,
        fbclid: req.fbclid,
      }),
      counted,
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.group.drained();
  }

  private async campaign(id: string): Promise<CampaignRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < CAMPAIGN_CACHE_MS) {
      return hit.campaign;
    }
    const c = await this.campaigns.findById(id);
    if (c) {
      if (this.cache.size >= CAMPAIGN_CACHE_SIZE) {
        this.cache.clear();
      }
      this.cache.set(id, { at: now, campaign: c });
    }
    return c;
  }
}
