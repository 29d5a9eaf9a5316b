interface Task {
  dueMs: number;
  seq: number;
  run: () => void;
}

/**
 * Runs callbacks after a delay with one timer for all of them (a binary heap by due time), so
 * thousands of webhook events per second do not mean thousands of live timers. `clear` forgets every
 * pending task (used by `/_sandbox/reset`).
 */
export class TaskScheduler {
  private heap: Task[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  /** Hook run after each batch of due tasks (the dispatcher flushes buffered statuses there). */
  afterBatch: (() => void) | null = null;

  get size(): number {
    return this.heap.length;
  }

  after(delayMs: number, run: () => void): void {
    const task = { dueMs: Date.now() + Math.max(0, delayMs), seq: this.seq++, run };
    this.push(task);
    this.arm();
  }

  clear(): void {
    this.heap = [];
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = null;
    this.timerDue = Infinity;
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next || next.dueMs >= this.timerDue) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timerDue = next.dueMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next.dueMs - Date.now()));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = Date.now();
    let ran = 0;
    // Bounded batch per tick so a flood of due tasks cannot starve the HTTP server.
    while (this.heap.length > 0 && (this.heap[0] as Task).dueMs <= now && ran < 5000) {
      const task = this.pop();
      ran++;
      try {
        task.run();
      } catch {
        // A failing task must not stop the others; tasks report their own failures.
      }
    }
    this.afterBatch?.();
    if (this.heap.length > 0 && (this.heap[0] as Task).dueMs <= now) {
      this.timerDue = now;
      this.timer = setTimeout(() => this.tick(), 0);
      this.timer.unref();
      return;
    }
    this.arm();
  }

  private less(a: Task, b: Task): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
  }

  private push(task: Task): void {
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as Task, h[parent] as Task)) {
        break;
      }
      [h[i], h[parent]] = [h[parent] as Task, h[i] as Task];
      i = parent;
    }
  }

  private pop(): Task {
    const h = this.heap;
    const top = h[0] as Task;
    const last = h.pop() as Task;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Task, h[m] as Task)) {
          m = l;
        }
        if (r < h.length && this.less(h[r] as Task, h[m] as Task)) {
          m = r;
        }
        if (m === i) {
          break;
        }
        [h[i], h[m]] = [h[m] as Task, h[i] as Task];
        i = m;
      }
    }
    return top;
  }
}
