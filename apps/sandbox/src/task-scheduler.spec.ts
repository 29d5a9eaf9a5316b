import { TaskScheduler } from './task-scheduler';

describe('TaskScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs tasks in due order with one timer', () => {
    const s = new TaskScheduler();
    const seen: number[] = [];
    let batches = 0;
    s.afterBatch = () => batches++;
    s.after(30, () => seen.push(3));
    s.after(10, () => seen.push(1));
    s.after(10, () => seen.push(2));
    s.after(0, () => {
      throw new Error('a failing task does not stop the others');
    });
    jest.advanceTimersByTime(10);
    expect(seen).toEqual([1, 2]);
    jest.advanceTimersByTime(20);
    expect(seen).toEqual([1, 2, 3]);
    expect(batches).toBe(3);
    expect(s.size).toBe(0);
  });

  it('forgets pending tasks on clear', () => {
    const s = new TaskScheduler();
    const seen: number[] = [];
    s.after(5, () => seen.push(1));
    s.clear();
    jest.advanceTimersByTime(50);
    expect(seen).toEqual([]);
  });
});
