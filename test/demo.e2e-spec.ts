import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { demoCsv, runDemo, type DemoResult } from '../scripts/demo';
import { http } from './support/apps';
import { acceptedPerRecipient, startEngine, until, type Engine } from './support/engine';

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('the main job demo, at a smaller size', () => {
  let e: Engine;
  let dir: string;
  let result: DemoResult;
  const out = collector();
  const err = collector();

  beforeAll(async () => {
    e = await startEngine();
    dir = await mkdtemp(join(tmpdir(), 'mmlite-demo-'));
    result = await runDemo({
      apiUrl: e.api.url,
      apiKey: e.key,
      sandboxUrl: e.sandbox.url,
      contacts: 200,
      mps: 500,
      dir,
      // Outcomes made certain (everyone delivered and read, no failures) so counts are exact.
      // Receipts a few ms after the send: they race the sender's write of its wamid, and the
      // per-wamid lock and the ledger's projection must still count every one.
      sandboxSettings: {
        delays: {
          sentMs: 2,
          deliveredMs: 3,
          readMs: 3,
          failedMs: 3,
          replyMs: 20,
          templateReviewMs: 100,
        },
        probabilities: {
          delivered: 1,
          read: 1,
          perUserCap: 0,
          undeliverable: 0,
          stopReply: 0,
          urlClick: 0.5,
        },
        chaos: { batchWindowMs: 20, duplicateRate: 0, outOfOrderRate: 0 },
      },
      settleMs: 300,
      pollMs: 100,
      promoteByHand: true,
      out: { stdout: out.stream, stderr: err.stream },
    });
  });

  afterAll(async () => {
    await e?.close();
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('imports the generated CSV, rejecting exactly its bad rows with reasons', async () => {
    const csv = await readFile(join(dir, 'demo-contacts.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('phone,first_name,city,coupon');
    // rows 5 (too short), 7 (empty), 13 and 110 (not a number) of 200 are bad on purpose
    expect(result.import).toMatchObject({
      status: 'completed',
      totalRows: 200,
      created: 196,
      failed: 4,
    });
    expect(result.import.errors.map((x) => x.row).sort((a, b) => a - b)).toEqual([7, 9, 15, 112]);
    const contact = await e.v1('GET', '/audiences/' + result.audienceId);
    expect(contact.body.memberCount).toBe(196);
  });

  it('sends the approved template once to every imported contact and follows it to the end', async () => {
    expect(result.campaign.status).toBe('completed');
    expect(result.campaign.counts).toMatchObject({ targeted: 196, sent: 196, failed: 0 });
    const template = await e.v1('GET', `/templates/${result.templateId}`);
    expect(template.body).toMatchObject({ status: 'APPROVED', category: 'MARKETING' });
    let last: unknown = null;
    const read = await until(
      'every message read',
      async () => {
        const c = await e.v1('GET', `/campaigns/${result.campaign.id}`);
        last = c.body.counts;
        return c.body.counts.read === 196 && c.body.counts;
      },
      45_000,
    ).catch(async (err: Error) => {
      const sandbox = await e.control('GET', '/counters');
      throw new Error(
        `${err.message}; last counts ${JSON.stringify(last)}; sandbox ${JSON.stringify(sandbox)}`,
      );
    });
    expect(read).toMatchObject({ delivered: 196, read: 196 });
    const phones = (await e.v1('GET', `/campaigns/${result.campaign.id}/messages?limit=1000`)).body
      .data as Array<{ phone: string }>;
    const accepted = await acceptedPerRecipient(
      e,
      phones.map((m) => m.phone),
    );
    expect(Object.values(accepted.recipients).every((n) => n === 1)).toBe(true);
    expect(Object.keys(accepted.recipients)).toHaveLength(196);
  });

  it('runs a two-variant A/B test with tracked links and prints the variant table', async () => {
    const c = (await e.v1('GET', `/campaigns/${result.campaign.id}`)).body;
    expect(c.variants.map((v: { key: string }) => v.key)).toEqual(['a', 'b']);
    expect(c.winner).toMatchObject({ by: 'hand' });
    expect(c.counts.clicked).toBeGreaterThan(0);
    const report = (await e.v1('GET', `/campaigns/${result.campaign.id}/report`)).body;
    const test = report.abTest.variants.reduce((n: number, v: any) => n + v.funnel.sent, 0);
    expect(test).toBe(Math.round(196 * 0.2));
    expect(out.text()).toMatch(/A\/B test \(metric: click; winner decided by hand\)/);
    expect(out.text()).toMatch(
      /variant\s+sent\s+delivered\s+read\s+clicked\s+click rate\s+p-value/,
    );
  });

  it('records an opt-in from the import source for each contact', async () => {
    const m = await e.v1('GET', `/audiences/${result.audienceId}/members?limit=1`);
    const contact = await e.v1('GET', `/contacts/${m.body.data[0].id}`);
    expect(contact.body.consent).toBe('opted_in');
  });

  it('prints each step, the report with attributed conversions, and where to look next', async () => {
    const text = out.text();
    for (let step = 1; step <= 8; step++) {
      expect(text).toContain(`[${step}/8]`);
    }
    expect(text).toContain('APPROVED after');
    expect(text).toMatch(
      /accepted 196 messages from this number, the campaign counts 196 sent; recipients sent twice: 0/,
    );
    expect(text).toMatch(/eligible\s+196/);
    expect(result.report).not.toBeNull();
    expect(text).not.toContain('report not available');
    expect(result.conversions).not.toBeNull();
    expect(result.conversions?.accepted).toBeGreaterThan(0);
    expect(text).toMatch(/sent the first batch again: 0 accepted/);
    // The demo's shoppers read the message before they bought: their events are attributed to it.
    const report = await http(e.api.url, 'GET', `/v1/campaigns/${result.campaign.id}/report`, {
      key: e.key,
    });
    expect(report.body.funnel.converted).toBeGreaterThan(0);
    expect(text).toContain(`${e.api.url}/docs`);
    expect(text).toContain(`${e.api.url}/v1/campaigns/${result.campaign.id}/report`);
    // progress went to stderr, results to stdout
    expect(err.text()).toContain('campaign [');
    expect(err.text()).toContain('import [');
  });

  it('generates bad rows, duplicates and US numbers in a 10,000-row list', () => {
    const rows = demoCsv(10_000, 123).trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(10_000);
    const phones = rows.map((r) => r.split(',')[0]!);
    expect(phones.filter((p) => p === '').length).toBeGreaterThan(40);
    expect(phones.filter((p) => p === 'call me maybe').length).toBeGreaterThan(90);
    expect(phones.filter((p) => p.startsWith('+1')).length).toBeGreaterThan(15);
  });
});
