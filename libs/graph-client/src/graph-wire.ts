import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SlotTiming, TimedSend } from '@app/common';
import type { WireAnswer, WireConfig, WireFromThread, WireToThread } from './wire-protocol';

interface Pending {
  left(firedAtMs: number | null): void;
  answer(a: WireAnswer): void;
  hasLeft: boolean;
  clockOffsetMs: number;
}

/**
 * Sends requests from a thread of their own, each at its slot (wire-thread.ts). The main thread
 * hands a request over as soon as it may go — its gate verdict in hand, tens of milliseconds before
 * the slot — and a pause of the main thread after that no longer makes the request late (measured
 * at Meta-like latency with webhooks on: 5–30 % of slots missed by pauses of 15–50 ms).
 */
export class GraphWire {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly config: WireConfig) {}

  /** Hands `body` over to be POSTed to `url` at `at.slotMs`; `clockMs` is the sender's now. */
  send(
    url: string,
    headers: Record<string, string>,
    body: string,
    at: SlotTiming,
    clockMs: number,
  ): TimedSend<WireAnswer> {
    let left!: (t: number | null) => void;
    let answer!: (a: WireAnswer) => void;
    const out: TimedSend<WireAnswer> = {
      left: new Promise((r) => (left = r)),
      answer: new Promise((r) => (answer = r)),
    };
    const id = this.nextId++;
    const clockOffsetMs = clockMs - Date.now();
    this.pending.set(id, { left, answer, hasLeft: false, clockOffsetMs });
    const m: WireToThread = {
      t: 'send',
      id,
      clockOffsetMs,
      slotMs: at.slotMs,
      notAfterMs: at.notAfterMs,
      url,
      headers,
      body,
    };
    this.thread().postMessage(m);
    return out;
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w) {
      return;
    }
    this.worker = null;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ t: 'close' } satisfies WireToThread);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) {
      return this.worker;
    }
    // Built, the thread is wire-thread.js beside this file; run from TypeScript (the tests), it
    // is compiled as it loads.
    const ts = extname(__filename) === '.ts';
    const w = new Worker(join(__dirname, `wire-thread${ts ? '.ts' : '.js'}`), {
      workerData: this.config,
      execArgv: ts ? ['--require', 'ts-node/register/transpile-only'] : [],
    });
    w.unref();
    w.on('message', (m: WireFromThread) => this.onMessage(m));
    w.on('error', () => undefined);
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = null;
      }
      this.abandon();
    });
    this.worker = w;
    return w;
  }

  private onMessage(m: WireFromThread): void {
    const p = this.pending.get(m.id);
    if (!p) {
      return;
    }
    if (m.t === 'left') {
      p.hasLeft = true;
      p.left(m.firedAtMs);
    } else if (m.t === 'missed') {
      this.pending.delete(m.id);
      p.left(null);
    } else {
      this.pending.delete(m.id);
      p.answer(m.answer);
    }
  }

  /**
   * The thread died with requests handed over. One that may have left is treated as left with no
   * answer (in doubt, settled by its status or resent after the resend delay — never blindly).
   */
  private abandon(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (!p.hasLeft) {
        p.left(Date.now() + p.clockOffsetMs);
      }
      p.answer({ kind: 'failed', code: null, message: 'the wire thread exited' });
    }
  }
}
