import { SeededRandom } from './sandbox-settings';
import { drawFate, drawLatencyMs, metaWire, offWire, wireProblems } from './wire';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('the sandbox wire', () => {
  it('draws answer delays with the configured median and 99th percentile, never above max', () => {
    const r = new SeededRandom(7);
    const l = metaWire().latencyMs;
    const xs = Array.from({ length: 50_000 }, () => drawLatencyMs(l, () => r.next())).sort(
      (a, b) => a - b,
    );
    expect(quantile(xs, 0.5)).toBeGreaterThan(140);
    expect(quantile(xs, 0.5)).toBeLessThan(160);
    expect(quantile(xs, 0.99)).toBeGreaterThan(720);
    expect(quantile(xs, 0.99)).toBeLessThan(880);
    expect(xs[xs.length - 1]).toBeLessThanOrEqual(2000);
    expect(xs[0]).toBeGreaterThan(0);
  });

  it('answers at once when latency is off', () => {
    const r = new SeededRandom(1);
    expect(drawLatencyMs(offWire().latencyMs, () => r.next())).toBe(0);
    expect(drawFate(offWire(), () => r.next())).toEqual({ kind: 'answer', delayMs: 0 });
  });

  it('loses answers and fails sends in the configured shares, the same way for the same seed', () => {
    const w = { ...offWire(), dropAnswer: 0.1, timeout: 0.05, serverError: 0.02 };
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      const counts: Record<string, number> = {};
      for (let i = 0; i < 20_000; i++) {
        const k = drawFate(w, () => r.next()).kind;
        counts[k] = (counts[k] ?? 0) + 1;
      }
      return counts;
    };
    const counts = draw(3);
    expect(counts.drop! / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.timeout! / 20_000).toBeCloseTo(0.05, 1);
    expect(counts['server-error']! / 20_000).toBeCloseTo(0.02, 1);
    expect(draw(3)).toEqual(counts);
  });

  it('refuses percentiles out of order', () => {
    expect(wireProblems({ p50: 200, p99: 100, max: 300 })).toHaveLength(1);
    expect(wireProblems({ p50: 100, p99: 200, max: 150 })).toHaveLength(1);
    expect(wireProblems(metaWire().latencyMs)).toEqual([]);
  });
});
