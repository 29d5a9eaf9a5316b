import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, isUuid, type Clock, type Page, type WorkspaceId } from '@app/common';
import { usAreaCodes } from '@app/audiences';
import { targetFilter, type CapWindow } from './domain/compile-filter';
import {
  parseFilter,
  referencedIds,
  type CampaignOutcome,
  type FilterNode,
  type FilterProblem,
} from './domain/segment-filter';
import { SegmentInUseError, SegmentInvalidError, SegmentNotFoundError } from './segments.errors';
import { SegmentsRepository } from './segments.repository';
import type { FrequencyCap, SegmentCount, SegmentRecord, TargetSpec } from './segments.types';

const DAY_MS = 86_400_000;

/** Segments (named filters over contacts), their live counts, and the workspace's frequency cap. */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly segments: SegmentsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(ws: WorkspaceId, input: { name: string; filter: unknown }): Promise<SegmentRecord> {
    return this.segments.insert(ws, input.name, await this.validFilter(ws, input.filter));
  }

  async get(ws: WorkspaceId, id: string): Promise<SegmentRecord> {
    const found = isUuid(id) ? await this.segments.find(ws, id) : null;
    if (!found) {
      throw new SegmentNotFoundError(id);
    }
    return found;
  }

  list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<SegmentRecord>> {
    return this.segments.list(ws, limit, cursor);
  }

  async update(
    ws: WorkspaceId,
    id: string,
    patch: { name?: string; filter?: unknown },
  ): Promise<SegmentRecord> {
    await this.get(ws, id);
    const filter =
      patch.filter === undefined ? undefined : await this.validFilter(ws, patch.filter);
    const updated = await this.segments.update(ws, id, { name: patch.name, filter });
    if (!updated) {
      throw new SegmentNotFoundError(id);
    }
    return updated;
  }

  async delete(ws: WorkspaceId, id: string): Promise<void> {
    await this.get(ws, id);
    const r = await this.segments.delete(ws, id);
    if (r.usedBy > 0) {
      throw new SegmentInUseError(id, r.usedBy);
    }
    if (!r.deleted) {
      throw new SegmentNotFoundError(id);
    }
  }

  /** What a filter matches now (validated first, like a stored one). */
  async preview(ws: WorkspaceId, filter: unknown): Promise<SegmentCount> {
    return this.countFilter(ws, await this.validFilter(ws, filter));
  }

  async count(ws: WorkspaceId, id: string): Promise<SegmentCount> {
    return this.countFilter(ws, (await this.get(ws, id)).filter);
  }

  frequencyCap(ws: WorkspaceId): Promise<FrequencyCap | null> {
    return this.segments.frequencyCap(ws);
  }

  async setFrequencyCap(ws: WorkspaceId, cap: FrequencyCap | null): Promise<FrequencyCap | null> {
    await this.segments.setFrequencyCap(ws, cap);
    return cap;
  }

  /** The cap as of `now`: held contacts got `max` messages since `since` (null: no cap). */
  async capWindow(ws: WorkspaceId, now: Date): Promise<CapWindow | null> {
    const cap = await this.segments.frequencyCap(ws);
    return cap
      ? { max: cap.maxMessages, since: new Date(now.getTime() - cap.perDays * DAY_MS) }
      : null;
  }

  /**
   * A filter that is valid and names only audiences and campaigns of this workspace; else
   * SegmentInvalidError with the path of each bad node (under `root`).
   */
  async validFilter(ws: WorkspaceId, input: unknown, root = 'filter'): Promise<FilterNode> {
    const parsed = parseFilter(input, root);
    if (!parsed.ok) {
      throw new SegmentInvalidError(parsed.problems);
    }
    const refs = referencedIds(parsed.filter);
    if (refs.audiences.length + refs.campaigns.length > 0) {
      const unknown = await this.segments.unknownReferences(ws, refs.audiences, refs.campaigns);
      const problems: FilterProblem[] = [
        ...unknown.audiences.map((id) => ({
          path: root,
          message: `no audience ${id} in this workspace`,
        })),
        ...unknown.campaigns.map((id) => ({
          path: root,
          message: `no campaign ${id} in this workspace`,
        })),
      ];
      if (problems.length > 0) {
        throw new SegmentInvalidError(problems);
      }
    }
    return parsed.filter;
  }

  /**
   * The filter a campaign's target stands for right now: its audience, its segment's current
   * filter, or its parent's recipients with an outcome — minus every exclusion.
   */
  async targetOf(ws: WorkspaceId, spec: TargetSpec): Promise<FilterNode> {
    const target = await this.oneTarget(ws, spec);
    const exclusions = await Promise.all(
      (spec.exclude ?? []).map(async (x) =>
        x.segmentId
          ? (await this.get(ws, x.segmentId)).filter
          : { audience: x.audienceId as string },
      ),
    );
    return targetFilter(target, exclusions);
  }

  private async oneTarget(ws: WorkspaceId, spec: TargetSpec): Promise<FilterNode> {
    if (spec.audienceId) {
      return { audience: spec.audienceId };
    }
    if (spec.segmentId) {
      return (await this.get(ws, spec.segmentId)).filter;
    }
    if (spec.followUp) {
      return {
        campaign: spec.followUp.campaignId,
        outcome: spec.followUp.outcome as CampaignOutcome,
      };
    }
    throw new Error('a campaign target names an audience, a segment or a parent campaign');
  }

  private async countFilter(ws: WorkspaceId, filter: FilterNode): Promise<SegmentCount> {
    const now = this.clock.now();
    const r = await this.segments.count(ws, filter, {
      now,
      usAreaCodes: usAreaCodes(),
      cap: await this.capWindow(ws, now),
    });
    return { ...r, computedAt: now };
  }
}
