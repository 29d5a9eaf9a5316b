/**
 * Data rows of a CSV file (lines after the header; a last line without a newline counts),
 * streamed so a large file is not held in memory. An estimate for the progress bar only: a quoted
 * value spanning lines counts twice, and the import's own counters are what is shown as figures.
 */
export async function countDataRows(file: Blob): Promise<number> {
  let lines = 0;
  let last = 10;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    for (const byte of value) {
      if (byte === 10) {
        lines++;
      }
    }
    if (value.length > 0) {
      last = value[value.length - 1] ?? 10;
    }
  }
  if (last !== 10) {
    lines++;
  }
  return Math.max(lines - 1, 0);
}
