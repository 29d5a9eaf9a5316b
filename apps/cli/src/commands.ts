// What each CLI command does, as plain async functions over an ApiClient and the output streams,
// so the demo reuses them and tests can call them without a process. Each returns an exit code.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, allPages, type ApiClient } from './api-client';
import {
  campaignProgress,
  formatCampaign,
  formatCountsLine,
  formatDuration,
  formatImport,
  formatNumber,
  formatReport,
  formatTable,
  MESSAGE_CSV_COLUMNS,
  messageCsvLine,
  TERMINAL_CAMPAIGN_STATUSES,
  type CampaignView,
  type ImportView,
} from './format';
import { createProgress } from './progress';

export interface Output {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** A usage problem found before calling the API (bad file, bad option value): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

const say = (w: Writable, text: string): void => {
  w.write(text.endsWith('\n') ? text : `${text}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- API keys

interface ApiKeyView {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  secret?: string;
}

export async function createApiKey(
  api: ApiClient,
  name: string,
  out: Output,
  opts: { json?: boolean; role?: string } = {},
): Promise<number> {
  const body = opts.role ? { name, role: opts.role } : { name };
  const key = await api.json<ApiKeyView>('POST', '/v1/api-keys', { body });
  if (opts.json) {
    say(out.stdout, JSON.stringify(key));
    return EXIT.ok;
  }
  say(out.stdout, `created ${key.role} API key "${key.name}" (id ${key.id}, prefix ${key.prefix})`);
  say(out.stdout, `secret: ${key.secret ?? ''}`);
  say(out.stderr, 'store the secret now: the API shows it only once');
  return EXIT.ok;
}

export async function listApiKeys(api: ApiClient, out: Output): Promise<number> {
  const rows: Array<Array<string | null>> = [];
  for await (const page of allPages<ApiKeyView>(api, '/v1/api-keys')) {
    for (const k of page) {
      rows.push([k.id, k.name, k.role, k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt]);
    }
  }
  say(
    out.stdout,
    formatTable(['id', 'name', 'role', 'prefix', 'created', 'last used', 'revoked'], rows),
  );
  return EXIT.ok;
}

// ---------------------------------------------------------------- audiences and imports

interface AudienceView {
  id: string;
  name: string;
  memberCount?: number;
  createdAt?: string;
}

export async function createAudience(
  api: ApiClient,
  name: string,
  description: string | undefined,
  out: Output,
): Promise<number> {
  const a = await api.json<AudienceView>('POST', '/v1/audiences', {
    body: { name, ...(description ? { description } : {}) },
  });
  say(out.stdout, `created audience "${a.name}" (id ${a.id})`);
  return EXIT.ok;
}

export async function listAudiences(api: ApiClient, out: Output): Promise<number> {
  const rows: Array<Array<string | number | null>> = [];
  for await (const page of allPages<AudienceView>(api, '/v1/audiences')) {
    for (const a of page) {
      rows.push([a.id, a.name, a.memberCount ?? null, a.createdAt ?? null]);
    }
  }
  say(out.stdout, formatTable(['id', 'name', 'members', 'created'], rows));
  return EXIT.ok;
}

export interface ImportOptions {
  audienceId: string;
  optInSource?: string;
  mapping?: string;
  delimiter?: string;
  defaultCountry?: string;
  idempotencyKey?: string;
  /** Follow the import until it finishes (default); false answers with the queued import. */
  wait?: boolean;
  pollMs?: number;
}

/** Counts bytes and line breaks of what passes through (an upper bound of the CSV's rows). */
class CountingStream extends Transform {
  bytes = 0;
  newlines = 0;
  lastByte = -1;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      this.newlines++;
    }
    if (chunk.length > 0) {
      this.lastByte = chunk[chunk.length - 1]!;
    }
    this.push(chunk);
    done();
  }

  /** Data rows, assuming no line breaks inside quoted fields (used only to size the bar). */
  get estimatedRows(): number {
    const lines = this.newlines + (this.lastByte !== 10 && this.bytes > 0 ? 1 : 0);
    return Math.max(0, lines - 1);
  }
}

export function importQuery(o: ImportOptions): string {
  const q = new URLSearchParams();
  if (o.optInSource) {
    q.set('optInSource', o.optInSource);
  }
  if (o.mapping) {
    q.set('mapping', o.mapping);
  }
  if (o.delimiter) {
    q.set('delimiter', o.delimiter);
  }
  if (o.defaultCountry) {
    q.set('defaultCountry', o.defaultCountry);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Streams a CSV file to `POST /v1/audiences/:id/imports` (bounded memory, whatever the size),
 * then follows `GET /v1/imports/:id` with a progress bar until the worker finishes.
 */
export async function importCsv(
  api: ApiClient,
  file: string,
  opts: ImportOptions,
  out: Output,
): Promise<{ code: number; import: ImportView | null }> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) {
      throw new UsageError(`${file} is not a file`);
    }
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) {
      throw e;
    }
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (opts.mapping) {
    try {
      JSON.parse(opts.mapping);
    } catch {
      throw new UsageError(`--mapping must be a JSON object, e.g. '{"Mobile":"phone"}'`);
    }
  }
  const counter = new CountingStream();
  const upload = createProgress('upload', out.stderr);
  const tick = setInterval(
    () => upload.update(counter.bytes, size, `${formatNumber(counter.bytes)} bytes`),
    200,
  );
  let accepted: { id: string; status: string };
  try {
    const source = createReadStream(file);
    source.on('error', (e) => counter.destroy(e));
    accepted = await api.json<{ id: string; status: string }>(
      'POST',
      `/v1/audiences/${encodeURIComponent(opts.audienceId)}/imports${importQuery(opts)}`,
      {
        raw: { stream: source.pipe(counter), contentType: 'text/csv' },
        headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {},
      },
    );
    upload.update(size, size, `${formatNumber(size)} bytes`);
  } finally {
    clearInterval(tick);
    upload.stop();
  }
  if (opts.wait === false) {
    say(out.stdout, `import ${accepted.id} ${accepted.status}`);
    return { code: EXIT.ok, import: null };
  }
  const final = await followImport(api, accepted.id, counter.estimatedRows, out, opts.pollMs);
  say(out.stdout, formatImport(final));
  return { code: final.status === 'completed' ? EXIT.ok : EXIT.failed, import: final };
}

/** Polls an import until it completes or fails, drawing rows read against the expected rows. */
export async function followImport(
  api: ApiClient,
  id: string,
  expectedRows: number,
  out: Output,
  pollMs = 250,
): Promise<ImportView> {
  const bar = createProgress('import', out.stderr);
  try {
    for (;;) {
      const imp = await api.json<ImportView>('GET', `/v1/imports/${encodeURIComponent(id)}`);
      const total = Math.max(expectedRows, imp.totalRows);
      bar.update(
        imp.status === 'completed' ? total : imp.totalRows,
        total,
        `${imp.status} · ${formatNumber(imp.created)} new · ${formatNumber(imp.failed)} rejected`,
      );
      if (imp.status === 'completed' || imp.status === 'failed') {
        return imp;
      }
      await sleep(pollMs);
    }
  } finally {
    bar.stop();
  }
}

// ---------------------------------------------------------------- campaigns

export type CampaignAction = 'launch' | 'pause' | 'resume' | 'cancel';

export async function campaignAction(
  api: ApiClient,
  id: string,
  action: CampaignAction,
  out: Output,
  opts: { idempotencyKey?: string } = {},
): Promise<number> {
  const c = await api.json<CampaignView>(
    'POST',
    `/v1/campaigns/${encodeURIComponent(id)}/${action}`,
    { headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {} },
  );
  say(
    out.stdout,
    `campaign "${c.name}" (${c.id}) is ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}`,
  );
  say(out.stdout, formatCountsLine(c.counts));
  return EXIT.ok;
}

export async function showCampaign(
  api: ApiClient,
  id: string,
  out: Output,
  opts: { json?: boolean } = {},
): Promise<number> {
  const c = await api.json<CampaignView>('GET', `/v1/campaigns/${encodeURIComponent(id)}`);
  say(out.stdout, opts.json ? JSON.stringify(c, null, 2) : formatCampaign(c));
  return EXIT.ok;
}

export async function listCampaigns(
  api: ApiClient,
  out: Output,
  opts: { status?: string } = {},
): Promise<number> {
  const rows: Array<Array<string | number>> = [];
  const path = `/v1/campaigns${opts.status ? `?status=${encodeURIComponent(opts.status)}` : ''}`;
  for await (const page of allPages<CampaignView>(api, path)) {
    for (const c of page) {
      rows.push([c.id, c.name, c.status, c.counts.targeted, c.counts.sent, c.counts.failed]);
    }
  }
  say(out.stdout, formatTable(['id', 'name', 'status', 'targeted', 'sent', 'failed'], rows));
  return EXIT.ok;
}

export interface WatchOptions {
  pollMs?: number;
  /**
   * After the campaign ends, keep following until delivered/read/clicked/failed have not moved for
   * this long (receipts arrive by webhook after the last send); 0 stops at once.
   */
  settleMs?: number;
  /** Upper bound of the settling wait. */
  maxSettleMs?: number;
}

/**
 * Follows a campaign's live counts with a progress bar (recipients done out of targeted) until it
 * is completed, cancelled or failed; answers the last state seen.
 */
export async function watchCampaign(
  api: ApiClient,
  id: string,
  out: Output,
  opts: WatchOptions = {},
): Promise<CampaignView> {
  const pollMs = opts.pollMs ?? 500;
  const bar = createProgress('campaign', out.stderr);
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  let c: CampaignView;
  try {
    for (;;) {
      c = await api.json<CampaignView>('GET', path);
      const p = campaignProgress(c);
      bar.update(p.done, p.total, `${c.status} · ${formatCountsLine(c.counts)}`);
      if (TERMINAL_CAMPAIGN_STATUSES.includes(c.status)) {
        break;
      }
      await sleep(pollMs);
    }
    const settleMs = opts.settleMs ?? 0;
    if (settleMs > 0) {
      const end = Date.now() + (opts.maxSettleMs ?? 30_000);
      const receipts = (v: CampaignView): string =>
        [v.counts.delivered, v.counts.read, v.counts.clicked, v.counts.failed].join('/');
      let last = receipts(c);
      let stableSince = Date.now();
      while (Date.now() - stableSince < settleMs && Date.now() < end) {
        await sleep(pollMs);
        c = await api.json<CampaignView>('GET', path);
        const p = campaignProgress(c);
        bar.update(p.done, p.total, `${c.status} · ${formatCountsLine(c.counts)}`);
        if (receipts(c) !== last) {
          last = receipts(c);
          stableSince = Date.now();
        }
      }
    }
  } finally {
    bar.stop();
  }
  return c;
}

export async function watchCommand(
  api: ApiClient,
  id: string,
  out: Output,
  opts: WatchOptions,
): Promise<number> {
  const started = Date.now();
  const c = await watchCampaign(api, id, out, opts);
  say(
    out.stdout,
    `campaign "${c.name}" ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''} after ${formatDuration(Date.now() - started)} of watching`,
  );
  say(out.stdout, formatCountsLine(c.counts));
  return c.status === 'completed' ? EXIT.ok : EXIT.failed;
}

// ---------------------------------------------------------------- reports and exports

/** The report, or null when this engine has no report route yet (older build). */
export async function fetchReport(api: ApiClient, id: string): Promise<unknown> {
  try {
    return await api.json<unknown>('GET', `/v1/campaigns/${encodeURIComponent(id)}/report`);
  } catch (e) {
    if (e instanceof ApiError && e.routeMissing) {
      return null;
    }
    throw e;
  }
}

export async function reportCommand(
  api: ApiClient,
  id: string,
  out: Output,
  opts: { json?: boolean } = {},
): Promise<number> {
  const report = await fetchReport(api, id);
  if (report === null) {
    say(
      out.stderr,
      `report not available: ${api.baseUrl} has no GET /v1/campaigns/:id/report (older engine); ` +
        `"campaigns show ${id}" prints the live counts`,
    );
    return EXIT.failed;
  }
  say(out.stdout, opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return EXIT.ok;
}

/**
 * Writes the campaign's messages as CSV to a file (or stdout). Uses the server's messages.csv;
 * an engine without that route gets the same columns built from the paged JSON list.
 */
export async function exportMessages(
  api: ApiClient,
  id: string,
  out: Output,
  opts: { output?: string } = {},
): Promise<number> {
  const target: Writable = opts.output ? createWriteStream(opts.output) : out.stdout;
  const counter = new CountingStream();
  const base = `/v1/campaigns/${encodeURIComponent(id)}`;
  let built = false;
  try {
    const body = await api.stream('GET', `${base}/messages.csv`);
    await pipeline(body, counter, target, { end: opts.output !== undefined });
  } catch (e) {
    if (!(e instanceof ApiError && e.routeMissing)) {
      throw e;
    }
    built = true;
    say(out.stderr, `${api.baseUrl} has no messages.csv route; building the CSV from /messages`);
    async function* lines(): AsyncGenerator<string> {
      yield `${MESSAGE_CSV_COLUMNS.join(',')}\n`;
      for await (const page of allPages<Record<string, unknown>>(api, `${base}/messages`)) {
        yield page.map((m) => `${messageCsvLine(m)}\n`).join('');
      }
    }
    await pipeline(lines(), counter, target, { end: opts.output !== undefined });
  }
  say(
    out.stderr,
    `exported ${formatNumber(counter.estimatedRows)} messages${opts.output ? ` to ${opts.output}` : ''}${built ? ' (built client-side)' : ''}`,
  );
  return EXIT.ok;
}

// ---------------------------------------------------------------- segments, follow-ups, retries

interface SegmentCountView {
  count: number;
  eligible: number;
  samples: Array<{ id: string; phone: string; consent: string }>;
  computedAt: string;
}

/** A filter given inline (JSON) or as @file.json. */
export async function readFilter(arg: string): Promise<unknown> {
  const text = arg.startsWith('@') ? await readFileText(arg.slice(1)) : arg;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`the filter is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readFileText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
}

function printCount(c: SegmentCountView, out: Output, json?: boolean): void {
  if (json) {
    say(out.stdout, JSON.stringify(c, null, 2));
    return;
  }
  say(out.stdout, `${formatNumber(c.count)} contacts match, ${formatNumber(c.eligible)} eligible`);
  if (c.samples.length > 0) {
    say(
      out.stdout,
      formatTable(
        ['contact', 'phone', 'consent'],
        c.samples.map((s) => [s.id, s.phone, s.consent]),
      ),
    );
  }
}

export async function createSegment(
  api: ApiClient,
  name: string,
  filter: unknown,
  out: Output,
): Promise<number> {
  const s = await api.json<{ id: string; name: string }>('POST', '/v1/segments', {
    body: { name, filter },
  });
  say(out.stdout, `segment "${s.name}" created: ${s.id}`);
  return EXIT.ok;
}

export async function countSegment(
  api: ApiClient,
  id: string,
  out: Output,
  opts: { json?: boolean } = {},
): Promise<number> {
  printCount(
    await api.json<SegmentCountView>('GET', `/v1/segments/${encodeURIComponent(id)}/count`),
    out,
    opts.json,
  );
  return EXIT.ok;
}

export async function previewSegment(
  api: ApiClient,
  filter: unknown,
  out: Output,
  opts: { json?: boolean } = {},
): Promise<number> {
  printCount(
    await api.json<SegmentCountView>('POST', '/v1/segments/preview', { body: { filter } }),
    out,
    opts.json,
  );
  return EXIT.ok;
}

export interface FollowUpOptions {
  outcome: string;
  name: string;
  template: string;
  parameters: string;
  phoneNumber?: string;
}

export async function followUpCampaign(
  api: ApiClient,
  parentId: string,
  o: FollowUpOptions,
  out: Output,
): Promise<number> {
  let parameters: unknown;
  try {
    parameters = JSON.parse(o.parameters);
  } catch {
    throw new UsageError('--parameters is not JSON');
  }
  const c = await api.json<CampaignView>(
    'POST',
    `/v1/campaigns/${encodeURIComponent(parentId)}/follow-up`,
    {
      body: {
        outcome: o.outcome,
        name: o.name,
        templateId: o.template,
        parameters,
        ...(o.phoneNumber ? { phoneNumberId: o.phoneNumber } : {}),
      },
    },
  );
  say(out.stdout, `follow-up "${c.name}" (${c.id}) created as a ${c.status}`);
  return EXIT.ok;
}

export async function retryCampaign(
  api: ApiClient,
  id: string,
  out: Output,
  opts: { codes?: number[] } = {},
): Promise<number> {
  const r = await api.json<{
    requeued: number;
    notRetryable: Record<string, number>;
    notBefore: string | null;
  }>('POST', `/v1/campaigns/${encodeURIComponent(id)}/retry`, {
    body: opts.codes ? { errorCodes: opts.codes } : {},
  });
  say(
    out.stdout,
    `${formatNumber(r.requeued)} failed message(s) queued again${r.notBefore ? `, the first not before ${r.notBefore}` : ''}`,
  );
  const left = Object.entries(r.notRetryable);
  if (left.length > 0) {
    say(
      out.stdout,
      formatTable(
        ['error code', 'not retried'],
        left.map(([k, n]) => [k, formatNumber(n)]),
      ),
    );
  }
  return EXIT.ok;
}
