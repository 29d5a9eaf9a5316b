// Messages between the main thread and the wire thread (types only: the thread loads no app code).

export interface WireConfig {
  connections: number;
  timeoutMs: number;
}

export type WireToThread =
  | {
      t: 'send';
      id: number;
      /** Sender's clock minus the wall clock, when handed over (a test's clock may be moved). */
      clockOffsetMs: number;
      slotMs: number;
      notAfterMs: number;
      url: string;
      headers: Record<string, string>;
      body: string;
    }
  | { t: 'close' };

/** What came back for a request that left. */
export type WireAnswer =
  | {
      kind: 'answered';
      status: number;
      appUsage: string | null;
      businessUseCaseUsage: string | null;
      text: string;
    }
  /** Headers came, the body did not. */
  | { kind: 'cut-off'; status: number; code: string | null; message: string }
  /** No answer: the request failed (connection refused, reset, timed out). */
  | { kind: 'failed'; code: string | null; message: string };

export type WireFromThread =
  | { t: 'left'; id: number; firedAtMs: number }
  | { t: 'missed'; id: number; atMs: number }
  | { t: 'answer'; id: number; answer: WireAnswer };
