// The demo a marketer would run, through the public API only (plus the sandbox's control API to
// make "Meta" realistic but quick): register the WhatsApp Business Account, import a CSV of
// contacts with opt-ins, submit a MARKETING template and wait for its approval, launch a campaign
// and follow it, post conversion events, print the report. `npm run main` runs it; the e2e test
// runs `runDemo` in-process at a smaller size.
//
//   API_URL=http://127.0.0.1:3000 SANDBOX_URL=http://127.0.0.1:4010 API_KEY=… node dist/scripts/demo.js
//   (DEMO_CONTACTS=10000, DEMO_MPS=500, DEMO_DIR=.data)
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient, ApiError, type RequestOptions } from '../apps/cli/src/api-client';
import { EXIT, fetchReport, importCsv, watchCampaign, type Output } from '../apps/cli/src/commands';
import {
  formatCountsLine,
  formatDuration,
  formatNumber,
  formatPairs,
  formatReport,
  type CampaignView,
  type ImportView,
} from '../apps/cli/src/format';

export interface DemoOptions {
  apiUrl: string;
  apiKey: string;
  sandboxUrl: string;
  contacts: number;
  /** Throughput set on the sandbox number and on the engine's phone number. */
  mps: number;
  /** Where the generated CSV is written. */
  dir: string;
  /** Sandbox settings merged over the demo's (tests shorten the delays). */
  sandboxSettings?: Record<string, unknown>;
  /** Ends the A/B test by hand once its share is sent, instead of waiting the minute (tests). */
  promoteByHand?: boolean;
  /** How long receipts must stand still before the campaign's funnel counts as settled. */
  settleMs?: number;
  pollMs?: number;
  out: Output;
}

interface SandboxWire {
  latencyMs: { p50: number; p99: number; max: number };
  dropAnswer: number;
  timeout: number;
  serverError: number;
}

interface SandboxCounters {
  phoneNumbers: Record<string, { accepted: number } | undefined>;
  accepted: { repeatAccepts: number };
  wire: { dropped: number; timedOut: number; serverErrors: number };
}

/** The sandbox's wire in one line (what every figure of the demo was measured against). */
export function formatWire(w: SandboxWire): string {
  if (w.latencyMs.max === 0 && w.dropAnswer === 0 && w.timeout === 0 && w.serverError === 0) {
    return 'answers at once, none lost (SANDBOX_LATENCY=off)';
  }
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  return (
    `answers like Meta's: p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms, max ${w.latencyMs.max} ms; ` +
    `${pct(w.dropAnswer)} closed after acceptance, ${pct(w.timeout)} never answered, ${pct(w.serverError)} 500s`
  );
}

export interface DemoResult {
  accountId: string;
  audienceId: string;
  import: ImportView;
  templateId: string;
  campaign: CampaignView;
  conversions: { accepted: number; duplicates: number; rejected: number } | null;
  report: unknown;
}

/** The sandbox as the demo wants it: most messages delivered and read, some replies and failures. */
export function demoSandboxSettings(webhookUrl: string): Record<string, unknown> {
  return {
    webhookUrl,
    delays: {
      sentMs: 20,
      deliveredMs: 300,
      readMs: 1500,
      failedMs: 150,
      replyMs: 800,
      templateReviewMs: 3000,
    },
    probabilities: {
      delivered: 0.97,
      read: 0.68,
      perUserCap: 0.01,
      undeliverable: 0.005,
      stopReply: 0.01,
      buttonReply: 0.07,
      urlClick: 0.12,
      conversion: 0.2,
    },
    // Meta batches statuses, sometimes repeats a webhook and sometimes sends read before delivered.
    chaos: {
      maxStatusesPerPayload: 100,
      batchWindowMs: 250,
      duplicateRate: 0.01,
      outOfOrderRate: 0.01,
    },
  };
}

const FIRST_NAMES = [
  'Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fabio', 'Gabriela', 'Heitor', 'Isabela', 'João',
  'Karina', 'Lucas', 'Marina', 'Nicolas', 'Olivia', 'Paulo', 'Rafaela', 'Sergio', 'Tatiana', 'Vitor',
]; // prettier-ignore

/**
 * A contact list as a shop would export it: `phone,first_name,city,coupon`, Brazilian mobiles in
 * assorted formats, a few US numbers (the engine will not send MM Lite to them), duplicates, and
 * bad rows (not a number, empty, too short) that the import must reject with reasons.
 */
export function demoCsv(rows: number, block: number): string {
  const lines = ['phone,first_name,city,coupon'];
  const cities = ['São Paulo', 'Campinas', 'Santos', 'Sorocaba', 'Guarulhos'];
  for (let i = 0; i < rows; i++) {
    const local = `9${String(block).padStart(3, '0')}${String(i).padStart(5, '0')}`;
    let phone =
      i % 3 === 0
        ? `+5511${local}`
        : i % 3 === 1
          ? `+55 11 ${local}`
          : `(11) ${local.slice(0, 5)}-${local.slice(5)}`;
    if (i % 97 === 13) {
      phone = 'call me maybe';
    } else if (i % 211 === 7) {
      phone = '';
    } else if (i % 389 === 5) {
      phone = '+55 11 123';
    } else if (i % 500 === 250) {
      phone = `+1212555${String(100 + (Math.floor(i / 500) % 100)).padStart(4, '0')}`;
    } else if (i % 1000 === 999) {
      phone = `+5511${local.slice(0, -1)}${(Number(local.slice(-1)) + 9) % 10}`; // same as row i-1
    }
    const name = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const city = cities[i % cities.length]!;
    const coupon = `SPRING-${((i * 7919) % 1_000_000).toString(36).toUpperCase().padStart(4, '0')}`;
    lines.push(`${phone},${name},"${city}",${coupon}`);
  }
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Account {
  id: string;
  wabaId: string;
  phoneNumbers: Array<{
    id: string;
    phoneNumberId: string;
    displayPhoneNumber: string;
    throughputMps: number;
  }>;
}

interface Template {
  id: string;
  name: string;
  status: string;
  rejectedReason: string | null;
}

interface Plan {
  abTest: {
    test: number;
    rest: number;
    variants: Array<{ key: string; recipients: number }>;
  } | null;
  eligible: number;
  audienceSize: number;
  skipped: Record<string, number>;
  rateMps: number;
  etaSeconds: number;
  cost: { currency?: string; total?: number } & Record<string, unknown>;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const api = new ApiClient(o.apiUrl, o.apiKey);
  const log = (s = ''): void => {
    o.out.stdout.write(`${s}\n`);
  };
  const step = (n: number, text: string): void => log(`\n[${n}/8] ${text}`);
  const sandbox = async (method: string, path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${o.sandboxUrl}/_sandbox${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text}`);
    }
    return JSON.parse(text) as unknown;
  };
  const call = <T>(method: string, path: string, opts?: RequestOptions): Promise<T> =>
    api.json<T>(method, path, opts);

  // 1. The sandbox plays Meta: realistic outcomes, short delays, a faster number.
  step(1, 'Configuring the Graph API sandbox (plays Meta)');
  const settings = merge(
    demoSandboxSettings(`${o.apiUrl}/webhooks/whatsapp`),
    o.sandboxSettings ?? {},
  );
  await sandbox('PATCH', '/settings', settings);
  const wire = ((await sandbox('GET', '/settings', undefined)) as { wire: SandboxWire }).wire;
  log(`    ${formatWire(wire)}`);
  const p = (settings as { probabilities: Record<string, number> }).probabilities;
  log(
    `    delivered ${pct(p.delivered!)}, read ${pct(p.read!)}, STOP replies ${pct(p.stopReply!)}, ` +
      `button taps ${pct(p.buttonReply!)}, undeliverable ${pct(p.undeliverable!)}, per-user cap ${pct(p.perUserCap!)}; ` +
      'statuses batched up to 100 per webhook',
  );

  // 2. A business account of its own on the sandbox (so a second run on the same database never
  //    meets the first run's template ids or wamids, which a restarted sandbox hands out again),
  //    registered with the engine, which reads its numbers from the Graph API.
  step(2, 'Creating a WhatsApp Business Account on the sandbox and registering it');
  const stamp = `${Date.now()}${Math.floor(Math.random() * 10)}`;
  const wabaId = `1${stamp}1`;
  const phoneNumberId = `1${stamp}2`;
  const accessToken = `demo-${randomBytes(16).toString('hex')}`;
  await sandbox('POST', '/wabas', {
    id: wabaId,
    name: 'Demo Store',
    accessToken,
    phoneNumbers: [
      {
        id: phoneNumberId,
        displayPhoneNumber: `+1 555 ${stamp.slice(-7, -4)} ${stamp.slice(-4)}`,
        verifiedName: 'Demo Store',
        throughputMps: o.mps,
        messagingLimitTier: 'TIER_UNLIMITED',
      },
    ],
  });
  const account = await call<Account>('POST', '/v1/business-accounts', {
    body: { wabaId, accessToken, name: 'Demo store' },
  });
  const phone = account.phoneNumbers.find((n) => n.phoneNumberId === phoneNumberId);
  if (!phone) {
    throw new Error(`the engine did not find phone number ${phoneNumberId} of WABA ${wabaId}`);
  }
  await call('PATCH', `/v1/phone-numbers/${phone.id}`, { body: { throughputMps: o.mps } });
  log(
    `    WABA ${account.wabaId} registered (account ${account.id}); its token is stored encrypted`,
  );
  log(
    `    sending from ${phone.displayPhoneNumber} at ${o.mps} messages/s, raised for the demo on the ` +
      `sandbox number and in the engine (Meta's default is 80 mps: ${formatNumber(o.contacts)} ` +
      `messages would take ~${formatDuration((o.contacts / 80) * 1000)} instead of ` +
      `~${formatDuration((o.contacts / o.mps) * 1000)})`,
  );

  // 3. Import the contact list, recording an opt-in for every imported contact.
  step(
    3,
    `Importing ${formatNumber(o.contacts)} contacts from a CSV (some rows are bad on purpose)`,
  );
  const block = 100 + Math.floor(Math.random() * 900);
  await mkdir(o.dir, { recursive: true });
  const file = join(o.dir, 'demo-contacts.csv');
  await writeFile(file, demoCsv(o.contacts, block));
  const audience = await call<{ id: string; name: string }>('POST', '/v1/audiences', {
    body: {
      name: `Spring sale list ${new Date().toISOString().slice(0, 16)}`,
      description: 'imported by the demo',
    },
  });
  log(`    audience "${audience.name}" (${audience.id}); CSV at ${file}`);
  const imported = await importCsv(
    api,
    file,
    {
      audienceId: audience.id,
      optInSource: 'demo-signup-form',
      defaultCountry: 'BR',
      pollMs: o.pollMs,
    },
    o.out,
  );
  if (imported.code !== EXIT.ok || !imported.import) {
    throw new Error('the import did not complete');
  }

  // 4. Two MARKETING templates (an A/B test), reviewed by "Meta" (the sandbox) and applied by
  //    webhook. Their "Shop now" button leads through the engine's tracked links.
  step(4, 'Submitting two MARKETING templates (variants A and B) and waiting for their approval');
  const tstamp = Date.now().toString(36);
  const submit = (name: string, body: string): Promise<Template> =>
    call<Template>('POST', '/v1/templates', {
      body: {
        businessAccountId: account.id,
        name,
        language: 'en_US',
        category: 'MARKETING',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Spring sale' },
          { type: 'BODY', text: body, example: { body_text: [['Ana', 'SPRING-1A2B']] } },
          { type: 'FOOTER', text: 'Tap "Stop promotions" to opt out' },
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'QUICK_REPLY', text: 'Show me the deals' },
              { type: 'QUICK_REPLY', text: 'Stop promotions' },
              {
                type: 'URL',
                text: 'Shop now',
                url: `${o.apiUrl}/r/{{1}}`,
                example: [`${o.apiUrl}/r/demo`],
              },
            ],
          },
        ],
      },
    });
  const submitted = [
    await submit(
      `spring_sale_a_${tstamp}`,
      'Hi {{1}}, our spring sale starts today! Use code {{2}} for 20% off everything in store and online.',
    ),
    await submit(
      `spring_sale_b_${tstamp}`,
      'Hi {{1}}, 20% off everything, today only. Your code: {{2}}. See you in the shop!',
    ),
  ];
  const template = submitted[0] as Template;
  log(
    `    templates ${submitted.map((t) => t.name).join(', ')} submitted (${template.status}); polling GET /v1/templates/:id`,
  );
  const reviewStart = Date.now();
  for (const t of submitted) {
    let reviewed = t;
    while (reviewed.status === 'PENDING' || reviewed.status === 'IN_APPEAL') {
      if (Date.now() - reviewStart > 120_000) {
        throw new Error('the template was not reviewed within 2 minutes');
      }
      await sleep(o.pollMs ?? 250);
      reviewed = await call<Template>('GET', `/v1/templates/${t.id}`);
    }
    if (reviewed.status !== 'APPROVED') {
      throw new Error(
        `the template is ${reviewed.status} (${reviewed.rejectedReason ?? 'no reason'})`,
      );
    }
  }
  log(
    `    APPROVED after ${formatDuration(Date.now() - reviewStart)} (the status webhooks reached the engine)`,
  );

  // 5. The campaign: an A/B test on 20 % of the audience, the winner (by clicks on the tracked
  //    link) to the rest. Plan first, then launch.
  step(5, 'Creating and planning the campaign (A/B test of two variants, tracked links)');
  const parameters = {
    body: ['{{contact.attributes.first_name}}', '{{contact.attributes.coupon}}'],
    buttons: [{ index: 2, text: '{{link:https://shop.example.com/spring?ref=whatsapp}}' }],
  };
  const created = await call<CampaignView>('POST', '/v1/campaigns', {
    body: {
      name: 'Spring sale',
      audienceId: audience.id,
      phoneNumberId: phone.id,
      variants: submitted.map((t, i) => ({
        key: i === 0 ? 'a' : 'b',
        templateId: t.id,
        parameters,
        weight: 1,
      })),
      abTest: {
        testPercent: 20,
        metric: 'click',
        decideAfterMinutes: 1,
        minPerVariant: Math.max(1, Math.floor(o.contacts / 50)),
      },
    },
  });
  const plan = await call<Plan>('GET', `/v1/campaigns/${created.id}/plan`);
  log(
    formatPairs(
      [
        ['audience', plan.audienceSize],
        ['eligible', plan.eligible],
        ...Object.entries(plan.skipped).map(([k, v]): [string, number] => [`skipped: ${k}`, v]),
        ...(plan.abTest
          ? [
              [
                'A/B test share',
                plan.abTest.variants.map((v) => `${v.key} ${v.recipients}`).join(', '),
              ] as [string, string],
              ['rest (gets the winner)', plan.abTest.rest] as [string, number],
            ]
          : []),
        ['rate', `${plan.rateMps} messages/s`],
        ['ETA', formatDuration(plan.etaSeconds * 1000)],
        [
          'cost estimate',
          plan.cost.total !== undefined
            ? `${formatNumber(plan.cost.total)} ${plan.cost.currency ?? ''}`.trim()
            : null,
        ],
      ],
      '    ',
    ),
  );

  step(6, 'Launching and following the campaign');
  const sendStart = Date.now();
  await call('POST', `/v1/campaigns/${created.id}/launch`, {
    headers: { 'idempotency-key': `demo-launch-${created.id}` },
  });
  if (o.promoteByHand) {
    await promoteWhenTested(api, created.id, plan.abTest?.test ?? 0, log);
  } else {
    log(
      '    the test share goes first; the winner is decided after 1 minute (two-proportion z-test on clicks)',
    );
  }
  const done = await watchCampaign(api, created.id, o.out, {
    pollMs: o.pollMs ?? 500,
    settleMs: o.settleMs ?? 3000,
    maxSettleMs: 30_000,
  });
  log(
    `    ${done.status} in ${formatDuration(Date.now() - sendStart)} (including waiting for receipts)`,
  );
  log(`    ${formatCountsLine(done.counts)}`);
  if (done.status !== 'completed') {
    throw new Error(`the campaign ended ${done.status}: ${done.statusReason ?? ''}`);
  }
  // Exactly once, as Meta (the sandbox) saw it: what it accepted from this number, and repeats.
  const seen = (await sandbox('GET', '/counters', undefined)) as SandboxCounters;
  const accepted = seen.phoneNumbers[phoneNumberId]?.accepted ?? 0;
  log(
    `    Meta (the sandbox) accepted ${accepted.toLocaleString('en')} messages from this number, ` +
      `the campaign counts ${done.counts.sent.toLocaleString('en')} sent; recipients sent twice: ` +
      `${seen.accepted.repeatAccepts}; answers lost on the way and settled by status webhook: ` +
      `${seen.wire.dropped + seen.wire.timedOut}`,
  );

  // 7. The shop's backend reports what readers did next.
  step(7, 'Posting conversion events (add to cart, checkout, purchase)');
  const conversions = await postConversions(api, created.id, log);

  step(8, 'Campaign report');
  const report = await settledReport(api, created.id, conversions !== null);
  if (report === null) {
    log('    report not available: this engine has no GET /v1/campaigns/:id/report yet');
  } else {
    log(indent(formatVariants(report), '    '));
    log(indent(formatReport(report), '    '));
  }

  log('');
  log(`Demo finished in ${formatDuration(Date.now() - started)}. Where to look next:`);
  log(
    formatPairs(
      [
        ['web app (sign in with the API key)', `${o.apiUrl}/app/campaigns/${created.id}`],
        ['API docs (OpenAPI)', `${o.apiUrl}/docs`],
        ['the campaign', `${o.apiUrl}/v1/campaigns/${created.id}`],
        ['its report', `${o.apiUrl}/v1/campaigns/${created.id}/report`],
        ['its messages (CSV)', `${o.apiUrl}/v1/campaigns/${created.id}/messages.csv`],
        ['metrics', `${o.apiUrl}/metrics`],
        ['sandbox settings', `${o.sandboxUrl}/_sandbox/settings`],
        ['CLI', `npm run cli -- campaigns report ${created.id}`],
      ],
      '  ',
    ),
  );
  log(
    '  (send "Authorization: Bearer <API_KEY>"; the CLI reads MMLITE_API_URL and MMLITE_API_KEY)',
  );
  return {
    accountId: account.id,
    audienceId: audience.id,
    import: imported.import,
    templateId: template.id,
    campaign: done,
    conversions,
    report,
  };
}

interface ConversionAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

/**
 * Some readers add to cart, fewer check out, fewer buy (values in BRL). Posted in batches of up
 * to 1000, then the first batch again to show that `eventId` makes ingestion idempotent.
 */
async function postConversions(
  api: ApiClient,
  campaignId: string,
  log: (s?: string) => void,
): Promise<{ accepted: number; duplicates: number; rejected: number } | null> {
  const readers: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: Array<{ phone: string }>; nextCursor: string | null } = await api.json(
      'GET',
      `/v1/campaigns/${campaignId}/messages?status=read&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    readers.push(...page.data.map((m) => m.phone));
    cursor = page.nextCursor;
  } while (cursor);
  const now = Date.now();
  const events: Array<Record<string, unknown>> = [];
  readers.forEach((phone, i) => {
    // From now on (after every read), a second apart per funnel step: inside the attribution
    // window. Not earlier: Meta's timestamps are whole seconds, so a read in the last second is
    // stored at the start of that second, and an event before it would not be attributed.
    const at = (offsetS: number): string => new Date(now + offsetS * 100).toISOString();
    if (i % 12 !== 0) {
      return; // ~8% of readers put something in the cart
    }
    events.push({ eventId: `demo-${campaignId}-${i}-cart`, eventName: 'add_to_cart', phone, occurredAt: at(0) });
    if (i % 24 === 0) {
      events.push({ eventId: `demo-${campaignId}-${i}-checkout`, eventName: 'checkout_initiated', phone, occurredAt: at(10) });
      if (i % 48 === 0) {
        const value = 40 + ((i * 37) % 160);
        events.push({ eventId: `demo-${campaignId}-${i}-purchase`, eventName: 'purchase', phone, value, currency: 'BRL', occurredAt: at(20) });
      }
    }
  }); // prettier-ignore
  if (events.length === 0) {
    log('    nobody read the message, so there is nothing to convert');
    return { accepted: 0, duplicates: 0, rejected: 0 };
  }
  const total = { accepted: 0, duplicates: 0, rejected: 0 };
  try {
    for (let i = 0; i < events.length; i += 1000) {
      const r = await api.json<ConversionAnswer>('POST', '/v1/conversions', {
        body: { events: events.slice(i, i + 1000) },
      });
      total.accepted += r.accepted;
      total.duplicates += r.duplicates;
      total.rejected += r.rejected.length;
    }
    const again = await api.json<ConversionAnswer>('POST', '/v1/conversions', {
      body: { events: events.slice(0, 1000) },
    });
    log(
      `    ${formatNumber(events.length)} events from ${formatNumber(readers.length)} readers: ` +
        `${formatNumber(total.accepted)} accepted, ${formatNumber(total.rejected)} rejected`,
    );
    log(
      `    sent the first batch again: ${formatNumber(again.accepted)} accepted, ` +
        `${formatNumber(again.duplicates)} duplicates (eventId makes ingestion idempotent)`,
    );
    return total;
  } catch (e) {
    if (e instanceof ApiError && e.routeMissing) {
      log('    conversions not available: this engine has no POST /v1/conversions yet');
      return null;
    }
    throw e;
  }
}

/** The report once attribution has caught up: fetched until two reads in a row agree. */
async function settledReport(
  api: ApiClient,
  id: string,
  afterConversions: boolean,
): Promise<unknown> {
  let report = await fetchReport(api, id);
  if (report === null || !afterConversions) {
    return report;
  }
  for (let i = 0; i < 10; i++) {
    await sleep(500);
    const next = await fetchReport(api, id);
    if (JSON.stringify(next) === JSON.stringify(report)) {
      return next;
    }
    report = next;
  }
  return report;
}

function pct(x: number): string {
  return `${+(x * 100).toFixed(1)}%`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      b &&
      typeof b === 'object' &&
      !Array.isArray(b) &&
      v &&
      typeof v === 'object' &&
      !Array.isArray(v)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive integer (got "${raw}")`);
  }
  return n;
}

if (require.main === module) {
  const run = async (): Promise<void> => {
    const apiKey = process.env.API_KEY ?? '';
    if (!apiKey) {
      throw new Error('API_KEY is not set (scripts/main.sh takes it from .data/dev.env)');
    }
    await runDemo({
      apiUrl: process.env.API_URL ?? 'http://127.0.0.1:3000',
      apiKey,
      sandboxUrl: process.env.SANDBOX_URL ?? 'http://127.0.0.1:4010',
      contacts: intEnv('DEMO_CONTACTS', 10_000),
      mps: intEnv('DEMO_MPS', 500),
      dir: process.env.DEMO_DIR ?? '.data',
      out: { stdout: process.stdout, stderr: process.stderr },
    });
  };
  run().catch((e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}

interface VariantRowView {
  key: string;
  funnel: { sent: number; delivered: number; read: number; clicked: number; converted: number };
  rates: { read: number | null; click: number | null; conversion: number | null };
  winner: boolean;
  pValue: number | null;
}

/** The A/B test as a table: a row per variant (its test share), the winner, the p-values. */
export function formatVariants(report: unknown): string {
  const ab = (
    report as {
      abTest?: { metric: string; variants: VariantRowView[]; winner: { by: string } | null };
    }
  ).abTest;
  if (!ab) {
    return 'no A/B test';
  }
  const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)}%`);
  const rows = ab.variants.map((v) => [
    v.key + (v.winner ? ' (winner)' : ''),
    formatNumber(v.funnel.sent),
    formatNumber(v.funnel.delivered),
    formatNumber(v.funnel.read),
    formatNumber(v.funnel.clicked),
    pct(v.rates.click),
    v.pValue === null ? '—' : v.pValue.toFixed(4),
  ]);
  const head = ['variant', 'sent', 'delivered', 'read', 'clicked', 'click rate', 'p-value'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [
    `A/B test (metric: ${ab.metric}; winner ${ab.winner ? `decided by ${ab.winner.by === 'hand' ? 'hand' : 'the rule'}` : 'not decided'})`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Waits until the test share is sent and its clicks are in, then promotes the variant with more. */
async function promoteWhenTested(
  api: ApiClient,
  id: string,
  test: number,
  log: (s: string) => void,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    const c = await api.json<CampaignView>('GET', `/v1/campaigns/${id}`);
    if (c.counts.sent >= test || Date.now() - start > 60_000) {
      break;
    }
    await sleep(200);
  }
  await sleep(1000);
  const r = await api.json<{ abTest: { variants: VariantRowView[] } | null }>(
    'GET',
    `/v1/campaigns/${id}/report`,
  );
  const best = [...(r.abTest?.variants ?? [])].sort(
    (x, y) => y.funnel.clicked - x.funnel.clicked,
  )[0];
  if (best) {
    await api.json('POST', `/v1/campaigns/${id}/variants/${best.key}/promote`);
    log(`    variant ${best.key} promoted by hand (more clicks in the test share)`);
  }
}
