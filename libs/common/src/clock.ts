export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock for tests: time moves only when told to. */
export class FakeClock implements Clock {
  private t: number;

  constructor(start: Date | number = Date.UTC(2030, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  nowMs(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  set(at: Date | number): void {
    this.t = typeof at === 'number' ? at : at.getTime();
  }
}
