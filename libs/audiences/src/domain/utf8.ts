/**
 * Where a buffer can be cut without splitting a UTF-8 character: the index of the first byte of
 * a trailing sequence that is still incomplete, or the buffer length when it ends cleanly.
 */
export function utf8SafeEnd(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back] as number;
    if ((b & 0xc0) === 0x80) {
      continue; // continuation byte: keep looking for the lead byte
    }
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** True when the bytes contain nothing but whitespace and a UTF-8 BOM. */
export function isBlank(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] as number;
    const bom = i < 3 && (b === 0xef || b === 0xbb || b === 0xbf);
    if (!bom && b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) {
      return false;
    }
  }
  return true;
}
