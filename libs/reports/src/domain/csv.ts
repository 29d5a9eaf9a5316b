/**
 * CSV cells for exports opened in spreadsheets: RFC 4180 quoting, and text that a spreadsheet
 * would run as a formula (starting with = + - @, tab or CR — OWASP "CSV injection") is prefixed
 * with a single quote so it stays text. Numbers and booleans are written as they are.
 */
export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) {
    return '';
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? String(v) : '';
  }
  if (typeof v === 'boolean') {
    return v ? 'true' : 'false';
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
