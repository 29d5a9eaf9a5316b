// The wire thread puts requests on the wire at their slots whatever the main thread is doing.
// A separate process answers and stamps each arrival, so a blocked main thread cannot skew it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { GraphApiError } from './graph-api.error';
import { GraphClient } from './graph-client';

const SERVER = `
const http = require('node:http');
const arrivals = {};
http.createServer((req, res) => {
  const at = Date.now();
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.end(JSON.stringify(arrivals));
      return;
    }
    const to = JSON.parse(body).to;
    arrivals[to] = at;
    if (to.startsWith('9')) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: { code: 131026, message: 'Message undeliverable' } }));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ messages: [{ id: 'wamid.' + to }], contacts: [{ wa_id: to, input: to }] }));
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

let server: ChildProcess;
let base: string;
let client: GraphClient;

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Blocks this event loop, as a long garbage collection or a big synchronous batch would.
  }
}

function body(to: string) {
  return {
    messaging_product: 'whatsapp' as const,
    recipient_type: 'individual' as const,
    to,
    type: 'template' as const,
    template: { name: 't', language: { code: 'en' } },
  };
}

async function arrivals(): Promise<Record<string, number>> {
  const res = await fetch(`${base}/arrivals`);
  return (await res.json()) as Record<string, number>;
}

beforeAll(async () => {
  server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  base = `http://127.0.0.1:${chunk.toString().trim()}`;
  client = new GraphClient({ baseUrl: base, version: 'v23.0', timeoutMs: 5000, connections: 32 });
  // The thread's start-up (compiling it, here) is not what is measured.
  const warm = client.sendAt(
    'marketing_messages',
    '1',
    'tok',
    body('100'),
    at(Date.now(), 60_000),
    Date.now(),
  );
  expect(await warm.left).not.toBeNull();
  await warm.answer;
});

afterAll(async () => {
  await client.close();
  server.kill();
});

function at(slotMs: number, latenessMs = 10) {
  return { slotMs, notAfterMs: slotMs + latenessMs };
}

describe('GraphClient.sendAt (the wire thread)', () => {
  it('sends each request at its slot while the main thread is blocked', async () => {
    // Slots 150–245 ms ahead, the main thread blocked for 400 ms: fired from this event loop,
    // every request would leave at least 155 ms late. The bound below leaves room for a loaded
    // machine (other test files on the same cores) without letting that through.
    const allowed = 100;
    const start = Date.now() + 150;
    const sends = Array.from({ length: 20 }, (_, k) => {
      const slot = start + k * 5;
      return {
        to: `2${k}`,
        slot,
        t: client.sendAt(
          'marketing_messages',
          '1',
          'tok',
          body(`2${k}`),
          at(slot, allowed),
          Date.now(),
        ),
      };
    });
    busy(400);
    const seen = await arrivals();
    for (const s of sends) {
      expect(await s.t.left).not.toBeNull();
      expect((await s.t.answer).wamid).toBe(`wamid.${s.to}`);
      const late = (seen[s.to] as number) - s.slot;
      expect(late).toBeGreaterThanOrEqual(0);
      // The allowed lateness, and a little for the other process to stamp it.
      expect(late).toBeLessThanOrEqual(allowed + 15);
    }
  });

  it('does not send a request handed over after its latest moment, and says so', async () => {
    const slot = Date.now() - 50;
    const t = client.sendAt('marketing_messages', '1', 'tok', body('31'), at(slot), Date.now());
    expect(await t.left).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect((await arrivals())['31']).toBeUndefined();
  });

  it("times slots on the sender's clock, which may differ from the wall clock", async () => {
    const offset = 3_600_000;
    const slot = Date.now() + offset + 100;
    const t = client.sendAt('messages', '1', 'tok', body('41'), at(slot, 100), Date.now() + offset);
    const left = await t.left;
    expect(left).not.toBeNull();
    expect((left as number) - slot).toBeGreaterThanOrEqual(0);
    expect((left as number) - slot).toBeLessThanOrEqual(100);
    const arrived = (await arrivals())['41'] as number;
    expect(Math.abs(arrived + offset - (left as number))).toBeLessThanOrEqual(15);
  });

  it("reads Meta's errors as the client does, and a refused connection as never sent", async () => {
    const undeliverable = client.sendAt(
      'marketing_messages',
      '1',
      'tok',
      body('91'),
      at(Date.now() + 20, 1000),
      Date.now(),
    );
    expect(await undeliverable.left).not.toBeNull();
    const e = await undeliverable.answer.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GraphApiError);
    expect((e as GraphApiError).code).toBe(131026);

    const closed = new GraphClient({
      baseUrl: 'http://127.0.0.1:1',
      version: 'v23.0',
      timeoutMs: 2000,
    });
    try {
      const t = closed.sendAt(
        'marketing_messages',
        '1',
        'tok',
        body('51'),
        // A new client's thread starts (and, here, compiles) first.
        at(Date.now() + 20, 60_000),
        Date.now(),
      );
      expect(await t.left).not.toBeNull();
      const err = await t.answer.catch((x: unknown) => x);
      expect(err).toBeInstanceOf(GraphApiError);
      expect((err as GraphApiError).maybeAccepted).toBe(false);
    } finally {
      await closed.close();
    }
  });
});
