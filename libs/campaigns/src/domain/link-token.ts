// The token of a tracked link: which campaign message and which of its links, signed, so a
// redirect needs no lookup table and a guessed token fails its check. URL-safe ([0-9A-Za-z]),
// about 16 characters: short enough for a URL button's dynamic suffix.
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 8 base-62 characters of HMAC: about 47 bits a guess must hit for one message id. */
const TAG_LENGTH = 8;
export const MAX_LINKS_PER_MESSAGE = ALPHABET.length;

function base62(n: bigint): string {
  if (n === 0n) {
    return '0';
  }
  let out = '';
  while (n > 0n) {
    out = (ALPHABET[Number(n % 62n)] as string) + out;
    n /= 62n;
  }
  return out;
}

function fromBase62(s: string): bigint | null {
  let n = 0n;
  for (const ch of s) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) {
      return null;
    }
    n = n * 62n + BigInt(d);
  }
  return n;
}

function tag(key: Buffer, messageId: string, linkIndex: number): string {
  const mac = createHmac('sha256', key).update(`${messageId}:${linkIndex}`).digest();
  return base62(BigInt(`0x${mac.subarray(0, 8).toString('hex')}`))
    .padStart(TAG_LENGTH, '0')
    .slice(-TAG_LENGTH);
}

export function encodeLinkToken(key: Buffer, messageId: string, linkIndex: number): string {
  if (!Number.isInteger(linkIndex) || linkIndex < 0 || linkIndex >= MAX_LINKS_PER_MESSAGE) {
    throw new RangeError(`link index ${linkIndex} out of range`);
  }
  return (
    base62(BigInt(messageId)) + (ALPHABET[linkIndex] as string) + tag(key, messageId, linkIndex)
  );
}

/** The message and link a token names, or null for anything that is not a token we signed. */
export function decodeLinkToken(
  key: Buffer,
  token: string,
): { messageId: string; linkIndex: number } | null {
  if (token.length < TAG_LENGTH + 2 || token.length > 40) {
    return null;
  }
  const id = fromBase62(token.slice(0, -TAG_LENGTH - 1));
  const linkIndex = ALPHABET.indexOf(token.charAt(token.length - TAG_LENGTH - 1));
  if (id === null || id <= 0n || id > 9_223_372_036_854_775_807n || linkIndex < 0) {
    return null;
  }
  const messageId = id.toString();
  const want = Buffer.from(tag(key, messageId, linkIndex));
  const got = Buffer.from(token.slice(-TAG_LENGTH));
  return got.length === want.length && timingSafeEqual(got, want) ? { messageId, linkIndex } : null;
}
