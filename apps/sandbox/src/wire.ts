// How the sandbox answers a send on the wire, as Meta's Graph API does in production: answers come
// after a long-tailed delay, a few are lost after the message was accepted (the connection closes,
// or no answer ever comes), and a few fail with 500 / 131000 without accepting anything.

export interface WireSettings {
  /** Answer delay: a log-normal distribution through p50 and p99, never above max (ms). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Share of accepted sends whose connection is closed instead of answered (0–1). */
  dropAnswer: number;
  /** Share of accepted sends that are never answered (the client times out) (0–1). */
  timeout: number;
  /** Share of sends answered 500 with error 131000, nothing accepted (0–1). */
  serverError: number;
}

/** `SANDBOX_LATENCY=meta`: what Meta's send endpoint looks like from a client (issue 13). */
export function metaWire(): WireSettings {
  return {
    latencyMs: { p50: 150, p99: 800, max: 2000 },
    dropAnswer: 0.002,
    timeout: 0.0005,
    serverError: 0.002,
  };
}

/** `SANDBOX_LATENCY=off`: every answer at once, none lost (fast tests). */
export function offWire(): WireSettings {
  return { latencyMs: { p50: 0, p99: 0, max: 0 }, dropAnswer: 0, timeout: 0, serverError: 0 };
}

export function wireProblems(l: WireSettings['latencyMs']): string[] {
  return l.p50 <= l.p99 && l.p99 <= l.max ? [] : ['wire.latencyMs must satisfy p50 ≤ p99 ≤ max'];
}

/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/**
 * Draws one answer delay (ms) from the log-normal distribution whose median is p50 and whose 99th
 * percentile is p99, cut at max. `random` gives uniform numbers in [0, 1).
 */
export function drawLatencyMs(l: WireSettings['latencyMs'], random: () => number): number {
  if (l.max <= 0 || l.p50 <= 0) {
    return 0;
  }
  const sigma = l.p99 > l.p50 ? Math.log(l.p99 / l.p50) / Z99 : 0;
  // Box–Muller; 1 - u keeps the logarithm finite.
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(l.max, l.p50 * Math.exp(sigma * z));
}

/** What happens to one send on the wire, drawn before it is handled. */
export type WireFate = { kind: 'server-error' | 'answer' | 'drop' | 'timeout'; delayMs: number };

export function drawFate(w: WireSettings, random: () => number): WireFate {
  const delayMs = drawLatencyMs(w.latencyMs, random);
  const r = random();
  if (r < w.serverError) {
    return { kind: 'server-error', delayMs };
  }
  if (r < w.serverError + w.dropAnswer) {
    return { kind: 'drop', delayMs };
  }
  if (r < w.serverError + w.dropAnswer + w.timeout) {
    return { kind: 'timeout', delayMs };
  }
  return { kind: 'answer', delayMs };
}

export function isInstant(w: WireSettings): boolean {
  return w.latencyMs.max <= 0 && w.dropAnswer === 0 && w.timeout === 0 && w.serverError === 0;
}
