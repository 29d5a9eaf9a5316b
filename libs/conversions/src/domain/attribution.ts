/**
 * Last-touch attribution of an app event to a campaign message. A message "touches" the contact
 * when it is delivered, read or clicked; only touches at or before the event and no older than the
 * window count (both edges inclusive). Engagement beats mere delivery: if any message was read or
 * clicked in the window, the one engaged with last wins; otherwise the one delivered last. Ties go
 * to the higher message id, so the answer is deterministic.
 */
export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7;
export const MAX_ATTRIBUTION_WINDOW_DAYS = 90;
export const DAY_MS = 24 * 60 * 60 * 1000;

export type Touch = 'delivered' | 'read' | 'clicked';

export interface Touchpoint {
  messageId: string;
  campaignId: string;
  deliveredAt: Date | null;
  readAt: Date | null;
  clickedAt: Date | null;
}

export interface Attribution {
  messageId: string;
  campaignId: string;
  touch: Touch;
  touchedAt: Date;
}

interface Best {
  at: number;
  touch: Touch;
  tp: Touchpoint;
}

function later(a: Best | null, b: Best): Best {
  if (!a || b.at > a.at) {
    return b;
  }
  if (b.at === a.at && BigInt(b.tp.messageId) > BigInt(a.tp.messageId)) {
    return b;
  }
  return a;
}

export function chooseAttribution(
  occurredAt: Date,
  windowDays: number,
  candidates: readonly Touchpoint[],
): Attribution | null {
  const end = occurredAt.getTime();
  const start = end - windowDays * DAY_MS;
  const inWindow = (d: Date | null): number | null => {
    if (!d) {
      return null;
    }
    const t = d.getTime();
    return t >= start && t <= end ? t : null;
  };
  let engaged: Best | null = null;
  let delivered: Best | null = null;
  for (const tp of candidates) {
    const clicked = inWindow(tp.clickedAt);
    const read = inWindow(tp.readAt);
    // The latest engagement of this message; a click at the same instant as a read says more.
    let e: Best | null = null;
    if (read !== null) {
      e = { at: read, touch: 'read', tp };
    }
    if (clicked !== null && (!e || clicked >= e.at)) {
      e = { at: clicked, touch: 'clicked', tp };
    }
    if (e) {
      engaged = later(engaged, e);
    }
    const d = inWindow(tp.deliveredAt);
    if (d !== null) {
      delivered = later(delivered, { at: d, touch: 'delivered', tp });
    }
  }
  const best = engaged ?? delivered;
  return best
    ? {
        messageId: best.tp.messageId,
        campaignId: best.tp.campaignId,
        touch: best.touch,
        touchedAt: new Date(best.at),
      }
    : null;
}
