import { GroupCommit, type GroupCommitLimits } from './group-commit';

const LIMITS: GroupCommitLimits = {
  maxConcurrentWrites: 1,
  maxBatchItems: 3,
  maxBatchWeight: 10,
  maxPendingItems: 5,
  maxPendingWeight: 100,
};

/** A writer whose writes finish only when the test says so. */
function heldWriter() {
  const batches: number[][] = [];
  const release: Array<(e?: Error) => void> = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      release.push((e) => (e ? reject(e) : resolve()));
    });
  return { batches, release, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('writes an item at once when idle, and what arrived meanwhile together, within the limits', async () => {
    const w = heldWriter();
    const group = new GroupCommit<number>(w.write, LIMITS, (n) => n);
    const done: number[] = [];
    const items = [1, 2, 3, 4, 5];
    const all = items.map((n) => group.append(n).then(() => done.push(n)));
    await tick();
    expect(w.batches).toEqual([[1]]);
    w.release[0]?.();
    await tick();
    // At most 3 items and a weight of 10 per write: 2+3+4 = 9, then 5.
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    expect(done).toEqual([1]);
    w.release[1]?.();
    await tick();
    expect(w.batches[2]).toEqual([5]);
    w.release[2]?.();
    await Promise.all(all);
    expect(done).toEqual(items);
  });

  it('fails every item of a failed write, and goes on with the next', async () => {
    const w = heldWriter();
    const group = new GroupCommit<number>(w.write, LIMITS);
    const first = group.append(1);
    const second = group.append(2);
    const third = group.append(3);
    await tick();
    w.release[0]?.();
    await tick();
    w.release[1]?.(new Error('disk full'));
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('disk full');
    await expect(third).rejects.toThrow('disk full');
    const fourth = group.append(4);
    await tick();
    w.release[2]?.();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('says when it is full, and when everything is written', async () => {
    const w = heldWriter();
    const group = new GroupCommit<number>(w.write, { ...LIMITS, maxPendingWeight: 7 }, (n) => n);
    void group.append(1); // in flight at once: not pending
    await tick();
    void group.append(3);
    void group.append(3);
    expect(group.hasRoomFor(1)).toBe(true);
    expect(group.hasRoomFor(2)).toBe(false);
    let drained = false;
    void group.drained().then(() => (drained = true));
    for (let i = 0; i < 2; i++) {
      w.release[i]?.();
      await tick();
    }
    expect(drained).toBe(true);
  });
});
