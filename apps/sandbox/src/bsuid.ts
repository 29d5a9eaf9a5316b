import { createHash } from 'node:crypto';

/** A few calling codes → ISO country, for the BSUID's prefix (anything else is `ZZ`). */
const COUNTRY_BY_PREFIX: ReadonlyArray<[string, string]> = [
  ['55', 'BR'],
  ['91', 'IN'],
  ['44', 'GB'],
  ['49', 'DE'],
  ['1', 'US'],
];

/**
 * The business-scoped user id Meta gives a phone's WhatsApp user (MMLITE-2026 row 19), in the
 * sandbox derived from the phone so that every webhook about the same user carries the same one.
 */
export function bsuidOf(waId: string): string {
  const country = COUNTRY_BY_PREFIX.find(([p]) => waId.startsWith(p))?.[1] ?? 'ZZ';
  const n = createHash('sha256').update(`bsuid|${waId}`).digest().readBigUInt64BE(0);
  return `${country}.${n.toString().padStart(20, '0')}`;
}
