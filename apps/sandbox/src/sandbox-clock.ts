/**
 * The sandbox's notion of "now" for rate limits, timestamps and analytics. Tests may freeze it and
 * move it by hand (`POST /_sandbox/clock`), so limits such as "45 per 6 s" are checked without
 * sleeping. Webhook timers always run on real (small, configurable) delays.
 */
export class SandboxClock {
  private manualMs: number | null = null;

  nowMs(): number {
    return this.manualMs ?? Date.now();
  }

  get manual(): boolean {
    return this.manualMs !== null;
  }

  set(ms: number): void {
    this.manualMs = ms;
  }

  advance(ms: number): void {
    this.manualMs = (this.manualMs ?? Date.now()) + ms;
  }

  useSystem(): void {
    this.manualMs = null;
  }
}
