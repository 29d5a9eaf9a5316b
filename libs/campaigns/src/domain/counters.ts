/**
 * A campaign's live counts. They are kept by a statement-level trigger on campaign_messages from
 * each row's state (migration DeliveryCore): writers only set rows' state, nobody counts by hand.
 * Each statement appends its counts as a delta (migration CounterDeltas), so writers of a campaign
 * never wait for one another; the worker folds the deltas into the counters rows every second.
 * `sent` counts every message Meta accepted (also those delivered, read, or failed later);
 * `sending` counts claimed and in-doubt messages, `inDoubt` the latter alone.
 */
export interface Counters {
  targeted: number;
  skipped: number;
  queued: number;
  sending: number;
  inDoubt: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  billable: number;
  /** Messages retried by hand (POST /retry), and those of them Meta has accepted since. */
  retried: number;
  recovered: number;
  /** Skipped into the control group. */
  holdout: number;
  /** Accepted, but neither delivered nor read by the template's TTL (Meta dropped them); part of `sent`. */
  expired: number;
}

/** Counter → column of campaign_counts (the counters rows plus the deltas not yet folded). */
export const COUNTER_COLUMNS: Readonly<Record<keyof Counters, string>> = {
  targeted: 'targeted',
  skipped: 'skipped',
  queued: 'queued',
  sending: 'sending',
  inDoubt: 'in_doubt',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  clicked: 'clicked',
  failed: 'failed',
  billable: 'billable',
  retried: 'retried',
  recovered: 'recovered',
  holdout: 'holdout',
  expired: 'expired',
};

export function zeroCounters(): Counters {
  return {
    targeted: 0,
    skipped: 0,
    queued: 0,
    sending: 0,
    inDoubt: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    billable: 0,
    retried: 0,
    recovered: 0,
    holdout: 0,
    expired: 0,
  };
}
