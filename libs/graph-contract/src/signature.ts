import { createHmac } from 'node:crypto';

/**
 * `X-Hub-Signature-256` value of a webhook body (MMLITE.md §4.2): `sha256=` + hex HMAC-SHA256 of the
 * exact raw bytes with the app secret. The sandbox signs with it; the receiver recomputes it and
 * compares with `timingSafeEqual`.
 */
export function hubSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';
