// Message TTL (MMLITE §1.6, MMLITE-2026 row 5). A template may carry `message_send_ttl_seconds`;
// Meta drops a message it could not deliver within that time and sends no failure webhook for it
// ("if you do not receive a delivered webhook before the TTL is exceeded, assume the message was
// dropped"). The engine freezes each message's deadline when its request leaves and, once the
// deadline has passed without a delivered or read status, shows the message as `expired`.

/** Meta's `-1` (utility and authentication templates only) means the default: 30 days. */
export const DEFAULT_TTL_SECONDS = 2_592_000;

/**
 * The TTL a send of this template gets, in seconds; null when the template has none (Meta's
 * default, 30 days, applies and we infer nothing).
 */
export function sendTtlSecondsOf(template: {
  messageSendTtlSeconds?: number | null;
}): number | null {
  const ttl = template.messageSendTtlSeconds ?? null;
  if (ttl === null) {
    return null;
  }
  return ttl === -1 ? DEFAULT_TTL_SECONDS : ttl > 0 ? ttl : null;
}

/** When Meta drops a message accepted at `acceptedAt` (null: no TTL, never inferred dropped). */
export function expiresAtOf(acceptedAt: Date, ttlSeconds: number | null): Date | null {
  return ttlSeconds === null ? null : new Date(acceptedAt.getTime() + ttlSeconds * 1000);
}

export interface ExpiryCandidate {
  status: string;
  expiresAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
}

/**
 * Meta accepted it (`sent`), its TTL has run out, and no delivered or read status has come. The
 * expiry tick's SQL (DeliveryRepository.expire) is this rule, set-based. A delivered or read
 * status that comes after all the same still wins (expired is only our inference; Meta's word
 * beats it — see the projection in delivery.repository.ts), and the counts follow by trigger.
 */
export function isExpired(m: ExpiryCandidate, now: Date): boolean {
  return (
    m.status === 'sent' &&
    m.expiresAt !== null &&
    m.expiresAt.getTime() <= now.getTime() &&
    m.deliveredAt === null &&
    m.readAt === null
  );
}
