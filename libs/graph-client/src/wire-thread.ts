// The thread that puts send requests on the wire at their slots (see graph-wire.ts). Its event
// loop does nothing else, so a pause of the main thread (a garbage collection, rendering a batch,
// parsing a claim) no longer makes a slot late. Only node and undici: no app code is loaded here.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';
import type { WireAnswer, WireConfig, WireFromThread, WireToThread } from './wire-protocol';

const port = parentPort;
if (!port) {
  throw new Error('wire-thread runs as a worker thread');
}
const config = workerData as WireConfig;
// On Linux this sets the calling thread's priority only. Where the process may (root, or
// CAP_SYS_NICE), the thread that must keep the slots runs ahead of the rest of the host's work
// (Postgres, the main thread's garbage collections); elsewhere it keeps the default.
if (config.niceness !== 0) {
  try {
    setPriority(0, config.niceness);
  } catch {
    // Not permitted: the default priority.
  }
}
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

type Send = Extract<WireToThread, { t: 'send' }>;

/** Requests waiting for their slots, and the answers still coming (see close). */
const waiting = new Map<number, { m: Send; timer: NodeJS.Timeout }>();
const answering = new Set<Promise<void>>();

async function fire(m: Send, firedAtMs: number): Promise<void> {
  let sending: ReturnType<typeof request>;
  try {
    sending = request(m.url, {
      method: 'POST',
      dispatcher: agent,
      headers: m.headers,
      body: m.body,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
  } catch (e) {
    // As the client reads a failed request (it decides whether it may have left).
    post({ t: 'left', id: m.id, firedAtMs });
    post({ t: 'answer', id: m.id, answer: { kind: 'failed', ...errorOf(e) } });
    return;
  }
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

function schedule(m: Send): void {
  // Times are on the sender's clock: this thread's wall clock plus the offset it was handed.
  const left = m.slotMs - (Date.now() + m.clockOffsetMs);
  if (left > 0) {
    // setTimeout may fire up to a millisecond early: look again then.
    waiting.set(m.id, { m, timer: setTimeout(() => schedule(m), Math.ceil(left)) });
    return;
  }
  waiting.delete(m.id);
  const now = Date.now() + m.clockOffsetMs;
  if (now > m.notAfterMs) {
    post({ t: 'missed', id: m.id, atMs: now });
    return;
  }
  const done = fire(m, now);
  answering.add(done);
  void done.finally(() => answering.delete(done));
}

/** Sends nothing more (what waits is reported missed), lets every answer come, then ends. */
async function close(): Promise<void> {
  for (const { m, timer } of waiting.values()) {
    clearTimeout(timer);
    post({ t: 'missed', id: m.id, atMs: Date.now() + m.clockOffsetMs });
  }
  waiting.clear();
  await Promise.all(answering);
  await agent.close();
  port?.close();
}

port.on('message', (m: WireToThread) => {
  if (m.t === 'send') {
    schedule(m);
  } else {
    void close();
  }
});
