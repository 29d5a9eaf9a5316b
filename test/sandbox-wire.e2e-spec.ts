// The sandbox on the wire (API.md "Sandbox on the wire"): answers held back by a long-tailed delay,
// answers lost after the message was accepted, and 500s without acceptance — and the control
// counters count what was accepted whatever became of the answer.
import { testConfig, TEST_APP_SECRET } from '@app/testing';
import { http, startSandbox, type RunningApp } from './support/apps';
import { eventually, WebhookReceiver } from './sandbox-webhook-receiver';

const PHONE = '100000000000002';
const TOKEN = 'sandbox-token';

function promo(to: string, callback: string): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: { name: 'wire_promo', language: { code: 'en_US' } },
    biz_opaque_callback_data: callback,
  };
}

describe('sandbox: Meta-like wire', () => {
  let sandbox: RunningApp;
  let receiver: WebhookReceiver;
  const control = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/_sandbox${path}`, { body });
  /** A send with a client-side time limit: resolves to the answer, or to what went wrong. */
  const send = async (to: string, callback: string, limitMs = 3000) => {
    const started = Date.now();
    try {
      const res = await fetch(`${sandbox.url}/v24.0/${PHONE}/marketing_messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(promo(to, callback)),
        signal: AbortSignal.timeout(limitMs),
      });
      return { status: res.status, body: await res.json(), ms: Date.now() - started };
    } catch (e) {
      return { error: (e as Error).name, ms: Date.now() - started };
    }
  };
  const accepted = async (to: string): Promise<number> =>
    (await control('GET', `/counters/recipients?phones=${to}`)).body.recipients[to.slice(1)];

  beforeAll(async () => {
    receiver = await new WebhookReceiver(TEST_APP_SECRET).start();
    sandbox = await startSandbox(
      testConfig({ WEBHOOK_CALLBACK_URL: receiver.url, SANDBOX_LATENCY: 'meta' }),
    );
  });

  afterAll(async () => {
    await sandbox?.close();
    await receiver?.stop();
  });

  beforeEach(async () => {
    receiver.clear();
    await control('POST', '/reset');
    await control('PATCH', '/settings', {
      delays: { sentMs: 1, deliveredMs: 5, readMs: 5 },
      probabilities: { perUserCap: 0, stopReply: 0, buttonReply: 0, urlClick: 0 },
    });
    await control('POST', '/templates', {
      name: 'wire_promo',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hello from the wire' }],
    });
  });

  it('defaults to Meta-like answers under SANDBOX_LATENCY=meta', async () => {
    const s = (await control('GET', '/settings')).body;
    expect(s.wire).toEqual({
      latencyMs: { p50: 150, p99: 800, max: 2000 },
      dropAnswer: expect.any(Number),
      timeout: expect.any(Number),
      serverError: expect.any(Number),
    });
    expect(s.wire.dropAnswer).toBeGreaterThan(0);
  });

  it('holds answers back by a long-tailed delay', async () => {
    const burst = async (block: string) => {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          send(`+44770${block}${String(i).padStart(5, '0')}`, `c${block}${i}`),
        ),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      return results.map((r) => r.ms).sort((a, b) => a - b);
    };
    const wire = (p50: number, p99: number, max: number) =>
      control('PATCH', '/settings', {
        wire: { latencyMs: { p50, p99, max }, dropAnswer: 0, timeout: 0, serverError: 0 },
      });
    // What 60 concurrent sends cost on this machine now (it is shared; load varies). Both
    // bursts fall in one second: the number gets room for both.
    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 1000 });
    await wire(0, 0, 0);
    const base = await burst('08');
    await wire(120, 400, 600);
    const ms = await burst('09');
    expect(ms[30]).toBeGreaterThan(60);
    expect(ms[30]).toBeLessThan(300 + (base[30] ?? 0));
    expect(ms[ms.length - 1]).toBeLessThan(600 + 250 + (base[base.length - 1] ?? 0));
  });

  it('accepts a message and then closes the connection without answering (dropAnswer)', async () => {
    await control('PATCH', '/settings', { wire: { dropAnswer: 1, timeout: 0, serverError: 0 } });
    const to = '+447700900201';
    const r = await send(to, 'lost-1');
    expect(r.status).toBeUndefined();
    expect(r.error).toBeDefined();
    expect(await accepted(to)).toBe(1);
    // Meta goes on with the message: its statuses (with our callback data) still come.
    const statuses = await eventually(() => {
      // This recipient's only: on a loaded machine the burst test's statuses may still come in.
      const s = receiver.statuses().filter((x) => x.recipient_id === to.slice(1));
      return s.some((x) => x.status === 'sent') && s;
    }, 'status webhooks of the accepted message');
    expect(statuses[0]).toMatchObject({ biz_opaque_callback_data: 'lost-1' });
    const counters = (await control('GET', '/counters')).body;
    expect(counters.wire).toMatchObject({ dropped: 1 });
    expect(counters.accepted.total).toBe(1);
  });

  it('accepts a message and never answers (timeout)', async () => {
    await control('PATCH', '/settings', { wire: { dropAnswer: 0, timeout: 1, serverError: 0 } });
    const to = '+447700900202';
    const r = await send(to, 'never-1', 500);
    expect(r.error).toBe('TimeoutError');
    expect(await accepted(to)).toBe(1);
    expect((await control('GET', '/counters')).body.wire).toMatchObject({ timedOut: 1 });
  });

  it('answers 500 with error 131000 without accepting (serverError)', async () => {
    await control('PATCH', '/settings', { wire: { dropAnswer: 0, timeout: 0, serverError: 1 } });
    const to = '+447700900203';
    const r = await send(to, 'err-1');
    expect(r.status).toBe(500);
    expect((r.body as { error: unknown }).error).toMatchObject({ code: 131000 });
    expect(await accepted(to)).toBe(0);
    const counters = (await control('GET', '/counters')).body;
    expect(counters.phoneNumbers[PHONE].requests).toBe(1);
    expect(counters.errors.sync).toEqual({ '131000': 1 });
  });

  it('refuses wire settings that make no sense', async () => {
    const bad = await control('PATCH', '/settings', {
      wire: { latencyMs: { p50: 900, p99: 100 } },
    });
    expect(bad.status).toBe(400);
    const share = await control('PATCH', '/settings', { wire: { dropAnswer: 2 } });
    expect(share.status).toBe(400);
  });
});
