import { waitForSlot } from './wait-for-slot';

describe('waitForSlot', () => {
  afterEach(() => jest.useRealTimers());

  it('never resolves before the slot, even when a timer fires early', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    // A clock that lags the timers by 0.6 ms, as Node's cached loop time can.
    const now = () => Date.now() - 0.6;
    let done: boolean | null = null;
    void waitForSlot(1_000_005.5, 10, now).then((ok) => (done = ok));
    await jest.advanceTimersByTimeAsync(6);
    expect(done).toBeNull(); // the timer fired, but the clock says 1,000,005.4: not yet
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('tells the caller to drop a slot missed by more than the allowed lateness', async () => {
    expect(await waitForSlot(Date.now() - 50)).toBe(false);
    expect(await waitForSlot(Date.now() - 50, 100)).toBe(true);
  });
});
