import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { SlotTiming, TimedSend } from '@app/common';
import type { WireAnswer, WireConfig, WireFromThread, WireToThread } from './wire-protocol';

interface Pending {
  left(firedAtMs: number | null): void;
  answer(a: WireAnswer): void;
  hasLeft: boolean;
  clockOffsetMs: number;
  /** The thread it was handed to: only that thread's exit abandons it. */
  worker: Worker;
}

/**
 * Sends requests from a thread of their own, each at its slot (wire-thread.ts). The main thread
 * hands a request over as soon as it may go — its gate verdict in hand, tens of milliseconds before
 * the slot — and a pause of the main thread after that no longer makes the request late (measured
 * at Meta-like latency with webhooks on: 5–30 % of slots missed by pauses of 15–50 ms).
 */
export class GraphWire {
  private readonly logger = new Logger(GraphWire.name);
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly config: WireConfig) {}

  /**
   * Hands `body` over to be POSTed to `url` at `at.slotMs`. Slot times are on the sender's clock
   * (`now`, which a test may move); it is read back to back with the wall clock just before the
   * hand-over, so no pause of this thread sits between the two readings.
   */
  send(
    url: string,
    headers: Record<string, string>,
    body: string,
    at: SlotTiming,
    now: () => number,
  ): TimedSend<WireAnswer> {
    let left!: (t: number | null) => void;
    let answer!: (a: WireAnswer) => void;
    const out: TimedSend<WireAnswer> = {
      left: new Promise((r) => (left = r)),
      answer: new Promise((r) => (answer = r)),
    };
    if (this.closed) {
      left(null);
      return out;
    }
    const worker = this.thread();
    const id = this.nextId++;
    const wall = Date.now();
    const clockOffsetMs = now() - wall;
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
    worker.postMessage(m);
    this.pending.set(id, { left, answer, hasLeft: false, clockOffsetMs, worker });
    return out;
  }

  /** Starts the thread now rather than on the first send (whose slot it could otherwise miss). */
  start(): void {
    if (!this.closed) {
      this.thread();
    }
  }

  /** Refuses new sends; the thread sends nothing more and answers for what it already sent. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (!w) {
      return;
    }
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ t: 'close' } satisfies WireToThread);
    const timer = setTimeout(() => void w.terminate(), 20_000);
    timer.unref();
    await exited;
    clearTimeout(timer);
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
      // Its objects live for one request: a small young generation keeps its memory small
      // (the worker's RSS has a budget) at the cost of more, shorter collections.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    w.unref();
    w.on('message', (m: WireFromThread) => this.onMessage(m));
    w.on('error', (e) => this.logger.error(`wire thread failed: ${e.message}`, e.stack));
    w.on('exit', (code) => {
      if (this.worker === w) {
        this.worker = null;
      }
      if (code !== 0) {
        this.logger.error(`wire thread exited with code ${code}`);
      }
      this.abandon(w);
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
   * A thread exited with requests handed over and not answered. One that may have left is treated
   * as left with no answer (in doubt, settled by its status or resent after the resend delay —
   * never blindly).
   */
  private abandon(w: Worker): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== w) {
        continue;
      }
      this.pending.delete(id);
      if (!p.hasLeft) {
        p.left(Date.now() + p.clockOffsetMs);
      }
      p.answer({ kind: 'failed', code: null, message: 'the wire thread exited' });
    }
  }
}
