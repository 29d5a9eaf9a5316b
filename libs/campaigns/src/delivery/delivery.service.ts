import { Injectable } from '@nestjs/common';
import type { Sql } from '@app/db';
import { messageIdOfTrackingToken, type MetaLinkClick } from '../domain/meta-click';
import { MetaClicksRepository } from '../links/meta-clicks.repository';
import { DeliveryRepository } from './delivery.repository';
import { isNewOptOut, mergeStatusEvents, type StatusEvent } from './domain/delivery-status';

/** A recipient Meta told us (131050) stopped marketing messages, for the consent ledger. */
export interface StatusOptOut {
  phoneNumberId: string | null;
  /** Digits, as Meta's `recipient_id`; null when the status named a BSUID only. */
  recipient: string | null;
  /** BSUID (`recipient_user_id`), when Meta sent one. */
  recipientUserId: string | null;
  wamid: string;
}

/**
 * Status webhooks into the delivery ledger and onto campaign messages — the one path a status
 * takes. Runs inside the caller's transaction (the webhook batch): the ledger, the messages, the
 * counters (kept by trigger) and the journal's "processed" mark commit together or not at all.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly ledger: DeliveryRepository,
    private readonly metaClicks: MetaClicksRepository,
  ) {}

  /** Applies a batch of status events; returns the new 131050 opt-outs among them. */
  async applyStatusEvents(tx: Sql, events: readonly StatusEvent[]): Promise<StatusOptOut[]> {
    if (events.length === 0) {
      return [];
    }
    const deltas = mergeStatusEvents(events);
    const wamids = deltas.map((d) => d.wamid);
    await this.ledger.lockWamids(tx, wamids);
    const changed = await this.ledger.upsert(tx, deltas);
    const moved = changed.map((c) => c.after.wamid);
    await this.ledger.project(tx, moved);
    return changed
      .filter(
        (c) =>
          isNewOptOut(c.beforeFailedAt, c.after) &&
          (c.after.recipientId || c.after.recipientUserId),
      )
      .map((c) => ({
        phoneNumberId: c.after.phoneNumberId,
        recipient: c.after.recipientId,
        recipientUserId: c.after.recipientUserId,
        wamid: c.after.wamid,
      }));
  }

  /** Quick-reply taps answering campaign messages: each message's first click counts. */
  async applyClicks(tx: Sql, clicks: ReadonlyArray<{ wamid: string; at: Date }>): Promise<number> {
    if (clicks.length === 0) {
      return 0;
    }
    const wamids = clicks.map((c) => c.wamid);
    await this.ledger.lockWamids(tx, wamids);
    return this.ledger.recordClicks(tx, clicks);
  }

  /** Retention: deletes up to `limit` of Meta's click rows stored before `before`. */
  pruneMetaClicks(db: Sql, before: Date, limit: number): Promise<number> {
    return this.metaClicks.prune(db, before, limit);
  }

  /**
   * Meta's link clicks (`user_actions`) into `meta_link_clicks`: joined to the campaign message
   * their tracking token names when it is the callback data we sent with it, stored unattributed
   * otherwise, never dropped; a click id seen before (Meta's redelivery) adds nothing. Counted
   * beside our own tracked-link clicks: messages' `clicked_at` and campaign counters are untouched.
   */
  applyMetaClicks(
    tx: Sql,
    clicks: readonly MetaLinkClick[],
  ): Promise<{ stored: number; attributed: number }> {
    const unique = new Map(clicks.map((c) => [`${c.phoneNumberId}|${c.clickId}`, c]));
    return this.metaClicks.insert(
      tx,
      [...unique.values()].map((c) => ({
        ...c,
        messageId: messageIdOfTrackingToken(c.trackingToken),
      })),
    );
  }
}
