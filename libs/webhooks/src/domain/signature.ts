import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/** `sha256=<hex>` as Meta sends it in `X-Hub-Signature-256` (MMLITE §4.2). */
export function signWebhookBody(body: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(body).digest('hex');
}

/**
 * True when `header` is the HMAC-SHA256 of the exact raw bytes under the app secret. The body is
 * never re-serialized (a reformatted JSON would not match) and the digests are compared in
 * constant time so the answer time leaks nothing about how many bytes were right.
 */
export function isValidWebhookSignature(
  body: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || !header.toLowerCase().startsWith(PREFIX)) {
    return false;
  }
  const hex = header.slice(PREFIX.length).trim();
  if (!HEX_DIGEST.test(hex)) {
    return false;
  }
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}
