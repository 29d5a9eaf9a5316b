// Sandbox send throughput benchmark: is the sandbox fast enough not to be the bottleneck?
//
//   npm run build
//   npx ts-node -r tsconfig-paths/register --transpile-only scripts/bench/sandbox-send.ts \
//     [--seconds 10] [--concurrency 64] [--mps 100000] [--webhooks]
//
// Spawns the built sandbox (dist/apps/sandbox/src/main.js) on a free loopback port, configures its
// number at `--mps` messages/s (1000+), seeds an approved MARKETING template, then fires
// `/marketing_messages` sends to distinct recipients from this one process over undici keep-alive
// connections (`--concurrency` in flight) for a bounded time, and prints accepted requests/s and
// p50/p99 latency, with the sandbox answering at once (SANDBOX_LATENCY=off: this is its own capacity,
// not Meta's wire). Webhooks are off unless `--webhooks`, which points them at a local 200-sink in
// this process (so the figure then includes the sandbox posting sent/delivered/read statuses).
import { freePort, percentile } from './bench-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SECONDS = arg('seconds', 10);
const CONCURRENCY = arg('concurrency', 64);
const MPS = arg('mps', 100_000);
const WEBHOOKS = process.argv.includes('--webhooks');
const PHONE = '100000000000002';
const TOKEN = 'sandbox-token';

async function json(
  pool: Pool,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await pool.request({
    method,
    path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) {
    throw new Error(`${method} ${path} → ${res.statusCode}: ${text}`);
  }
  return JSON.parse(text);
}

async function main(): Promise<void> {
  const port = await freePort();
  let sink: Server | null = null;
  let sinkHits = 0;
  let webhookUrl: string | null = null;
  if (WEBHOOKS) {
    sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        sinkHits++;
        res.end();
      });
    });
    await new Promise<void>((r) => sink?.listen(0, '127.0.0.1', r));
    webhookUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/webhooks/whatsapp`;
  }
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/sandbox/src/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      // The sandbox's own capacity: answers at once (with Meta's latency, 64 in flight would
      // measure the latency, not the sandbox).
      SANDBOX_LATENCY: 'off',
      APP_SECRET: 'bench-app-secret',
      WEBHOOK_VERIFY_TOKEN: 'bench',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1 });
  try {
    const up = Date.now() + 15_000;
    for (;;) {
      try {
        await json(pool, 'GET', '/_sandbox/health');
        break;
      } catch {
        if (Date.now() > up) {
          throw new Error('sandbox did not start (did you run `npm run build`?)');
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await json(pool, 'PATCH', `/_sandbox/phone-numbers/${PHONE}`, { throughputMps: MPS });
    await json(pool, 'PATCH', '/_sandbox/settings', {
      webhookUrl,
      probabilities: { perUserCap: 0 },
      delays: { sentMs: 10, deliveredMs: 50, readMs: 100 },
    });
    await json(pool, 'POST', '/_sandbox/templates', {
      name: 'bench_promo',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, {{2}} off everything this week.' }],
    });

    const latencies = new Float64Array(5_000_000);
    let n = 0;
    let accepted = 0;
    const errors = new Map<string, number>();
    let seq = 0;
    const until = Date.now() + SECONDS * 1000;
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const to = `4477${String(10_000_000 + seq++).padStart(8, '0')}`;
        const body = JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to,
          type: 'template',
          template: {
            name: 'bench_promo',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'Ana' },
                  { type: 'text', text: '20%' },
                ],
              },
            ],
          },
          biz_opaque_callback_data: `bench:${seq}`,
        });
        const t0 = process.hrtime.bigint();
        const res = await pool.request({
          method: 'POST',
          path: `/v24.0/${PHONE}/marketing_messages`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body,
        });
        const text = await res.body.text();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (n < latencies.length) {
          latencies[n++] = ms;
        }
        if (res.statusCode === 200) {
          accepted++;
        } else {
          const code = String(
            (JSON.parse(text) as { error?: { code?: number } }).error?.code ?? res.statusCode,
          );
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const sorted = latencies.slice(0, n).sort();
    const counters = (await json(pool, 'GET', '/_sandbox/counters')) as {
      phoneNumbers: Record<string, { maxRequestsInAnyOneSecond: number }>;
      webhooks: Record<string, number>;
    };
    console.log(
      `sandbox send benchmark: ${SECONDS}s, concurrency ${CONCURRENCY}, number at ${MPS} mps, webhooks ${WEBHOOKS ? 'on' : 'off'}`,
    );
    console.log(`  requests        ${n} (${(n / elapsed).toFixed(0)}/s)`);
    console.log(`  accepted        ${accepted} (${(accepted / elapsed).toFixed(0)}/s)`);
    console.log(`  errors          ${JSON.stringify(Object.fromEntries(errors))}`);
    console.log(`  latency p50     ${percentile(sorted, 50).toFixed(2)} ms`);
    console.log(`  latency p99     ${percentile(sorted, 99).toFixed(2)} ms`);
    console.log(
      `  max in any 1 s  ${counters.phoneNumbers[PHONE]?.maxRequestsInAnyOneSecond} (sandbox's own count)`,
    );
    if (WEBHOOKS) {
      console.log(
        `  webhook POSTs   ${sinkHits} received by the sink; sandbox counters ${JSON.stringify(counters.webhooks)}`,
      );
    }
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (sink) {
      sink.closeAllConnections();
      await new Promise<void>((r) => sink?.close(() => r()));
    }
  }
}

main().catch((e: unknown) => {
  console.error(`benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
