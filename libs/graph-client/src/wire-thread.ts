// The thread that puts send requests on the wire at their slots (see graph-wire.ts). Its event
// loop does nothing else, so a pause of the main thread (a garbage collection, rendering a batch,
// parsing a claim) no longer makes a slot late. Only node and undici: no app code is loaded here.
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';
import type { WireAnswer, WireConfig, WireFromThread, WireToThread } from './wire-protocol';

const port = parentPort;
if (!port) {
  throw new Error('wire-thread runs as a worker thread');
}
const config = workerData as WireConfig;
const agent = new Agent({
  connections: config.connections,
  keepAliveTimeout: 30_000,
  pipelining: 1,
  connect: { timeout: config.timeoutMs },
});

function post(m: WireFromThread): void {
  port?.postMessage(m);
}

function header(v: string | string[] | undefined): string | null {
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

function errorOf(e: unknown): { code: string | null; message: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : null,
    message: e instanceof Error ? e.message : String(e),
  };
}

async function fire(m: Extract<WireToThread, { t: 'send' }>, firedAtMs: number): Promise<void> {
  const sending = request(m.url, {
    method: 'POST',
    dispatcher: agent,
    headers: m.headers,
    body: m.body,
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
  });
  post({ t: 'left', id: m.id, firedAtMs });
  let answer: WireAnswer;
  try {
    const res = await sending;
    try {
      answer = {
        kind: 'answered',
        status: res.statusCode,
        appUsage: header(res.headers['x-app-usage']),
        businessUseCaseUsage: header(res.headers['x-business-use-case-usage']),
        text: await res.body.text(),
      };
    } catch (e) {
      answer = { kind: 'cut-off', status: res.statusCode, ...errorOf(e) };
    }
  } catch (e) {
    answer = { kind: 'failed', ...errorOf(e) };
  }
  post({ t: 'answer', id: m.id, answer });
}

function schedule(m: Extract<WireToThread, { t: 'send' }>): void {
  // Times are on the sender's clock: this thread's wall clock plus the offset it was handed.
  const left = m.slotMs - (Date.now() + m.clockOffsetMs);
  if (left > 0) {
    // setTimeout may fire up to a millisecond early: look again then.
    setTimeout(() => schedule(m), Math.ceil(left));
    return;
  }
  const now = Date.now() + m.clockOffsetMs;
  if (now > m.notAfterMs) {
    post({ t: 'missed', id: m.id, atMs: now });
    return;
  }
  void fire(m, now);
}

port.on('message', (m: WireToThread) => {
  if (m.t === 'send') {
    schedule(m);
  } else {
    void agent.close().finally(() => port.close());
  }
});
