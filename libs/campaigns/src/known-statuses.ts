import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@app/db';
import {
  CampaignsRepository,
  type LockedMessage,
  type MessageUpdate,
} from './campaigns.repository';
import { mergeStatus, type DeliveryStatus, type MessageState } from './domain/message-status';

/** A delivery report for one message, from a webhook or from what was stored before we knew the wamid. */
export interface DeliveryReport {
  wamid: string;
  status: DeliveryStatus | 'played';
  callbackData: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  errorCode: number | null;
  errorTitle: string | null;
  errorDetails: string | null;
  pricingCategory: string | null;
  billable: boolean;
}

/**
 * Serialises, per wamid, the two writers that meet on a message: the sender recording a wamid
 * and the webhook consumer applying a status. Without it each could miss the other's uncommitted
 * write (a status that raced ahead of the send answer would be lost). Taken in one global order.
 */
export async function lockWamids(
  em: Pick<EntityManager, 'query'>,
  wamids: string[],
): Promise<void> {
  const unique = [...new Set(wamids)];
  if (unique.length === 0) {
    return;
  }
  await em.query(
    `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(w, 7) AS k FROM unnest($1::text[]) w) t ORDER BY k`,
    [unique],
  );
}

/** A `message_statuses` row as the webhooks library stores it. */
export interface StatusRow {
  wamid: string;
  status: DeliveryReport['status'];
  callback_data: string | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
  pricing_category: string | null;
  pricing_billable: boolean | null;
  pricing_type: string | null;
}

export function reportOf(r: StatusRow): DeliveryReport {
  return {
    wamid: r.wamid,
    status: r.status,
    callbackData: r.callback_data,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    failedAt: r.failed_at,
    errorCode: r.error_code,
    errorTitle: r.error_title,
    errorDetails: r.error_details,
    pricingCategory: r.pricing_category,
    billable: r.pricing_billable === true || r.pricing_type === 'regular',
  };
}

/**
 * Applies delivery reports to campaign messages with exact counters: by wamid, or by our message
 * id echoed as callback data when the send answer never reached us. Idempotent: the state only
 * moves forward and counters follow the state.
 */
@Injectable()
export class KnownStatuses {
  constructor(private readonly campaigns: CampaignsRepository) {}

  async applyReports(em: EntityManager, reports: readonly DeliveryReport[]): Promise<number> {
    if (reports.length === 0) {
      return 0;
    }
    await lockWamids(
      em,
      reports.map((r) => r.wamid),
    );
    const byWamid = await this.campaigns.lockByWamids(
      em,
      reports.map((r) => r.wamid),
    );
    const found = new Map<string, LockedMessage>(
      byWamid.filter((m) => m.wamid).map((m) => [m.wamid as string, m]),
    );
    // Reports whose wamid we never stored: our id came back as callback data.
    const orphans = reports.filter(
      (r) => !found.has(r.wamid) && r.callbackData && /^\d{1,18}$/.test(r.callbackData),
    );
    if (orphans.length) {
      const byId = await this.campaigns.lockByIds(
        em,
        orphans.map((r) => r.callbackData as string),
      );
      const ids = new Map(byId.map((m) => [m.id, m]));
      for (const r of orphans) {
        const m = ids.get(r.callbackData as string);
        if (m && (m.wamid === null || m.wamid === r.wamid)) {
          found.set(r.wamid, m);
        }
      }
    }
    const updates: MessageUpdate[] = [];
    const seen = new Map<string, MessageState>();
    for (const r of reports) {
      const m = found.get(r.wamid);
      if (!m) {
        continue;
      }
      const before = seen.get(m.id) ?? {
        status: m.status,
        accepted: m.accepted,
        clicked: m.clicked,
        billable: m.billable,
      };
      const incoming: DeliveryStatus = r.status === 'played' ? 'read' : r.status;
      const after: MessageState = {
        status: mergeStatus(before.status, incoming),
        accepted: true,
        clicked: before.clicked,
        billable: before.billable || r.billable,
      };
      seen.set(m.id, after);
      updates.push({
        id: m.id,
        campaignId: m.campaignId,
        before,
        after,
        ...(m.wamid === null ? { wamid: r.wamid } : {}),
        sentAt: r.sentAt,
        deliveredAt: r.deliveredAt,
        readAt: r.readAt,
        failedAt: after.status === 'failed' ? (r.failedAt ?? new Date()) : null,
        ...(after.status === 'failed' && r.errorCode !== null
          ? { errorCode: r.errorCode, errorTitle: r.errorTitle, errorDetails: r.errorDetails }
          : {}),
        pricingCategory: r.pricingCategory,
      });
    }
    // Several reports for one message in a batch: apply in order; the last carries the final state.
    const last = new Map<string, MessageUpdate>();
    for (const u of updates) {
      const prev = last.get(u.id);
      last.set(u.id, prev ? { ...u, before: prev.before } : u);
    }
    await this.campaigns.applyUpdates(em, [...last.values()]);
    return last.size;
  }

  /** Statuses stored for these wamids before the send result was written: apply them now. */
  async applyKnown(em: EntityManager, wamids: string[]): Promise<void> {
    if (wamids.length === 0) {
      return;
    }
    const rows = await queryRows<StatusRow>(
      em,
      `SELECT * FROM message_statuses WHERE wamid = ANY($1::text[])`,
      [wamids],
    );
    await this.applyReports(em, rows.map(reportOf));
  }

  /** Quick-reply taps on a campaign message: its first click counts. */
  async applyClicks(
    em: EntityManager,
    clicks: ReadonlyArray<{ contextWamid: string; at: Date }>,
  ): Promise<number> {
    const locked = await this.campaigns.lockByWamids(
      em,
      clicks.map((c) => c.contextWamid),
    );
    const at = new Map(clicks.map((c) => [c.contextWamid, c.at]));
    const updates: MessageUpdate[] = locked
      .filter((m) => !m.clicked && m.wamid)
      .map((m) => ({
        id: m.id,
        campaignId: m.campaignId,
        before: { status: m.status, accepted: m.accepted, clicked: false, billable: m.billable },
        after: { status: m.status, accepted: m.accepted, clicked: true, billable: m.billable },
        clickedAt: at.get(m.wamid as string) ?? new Date(),
      }));
    await this.campaigns.applyUpdates(em, updates);
    return updates.length;
  }
}
