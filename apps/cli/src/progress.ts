// Progress bars on a terminal (cli-progress), plain periodic lines when the output is a file or a
// pipe, so logs and tests still see how far the work got.
import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';

export interface Progress {
  update(value: number, total: number, detail: string): void;
  stop(): void;
}

/** A bar labelled `label`, written to `stream` (stderr by default, keeping stdout for results). */
export function createProgress(
  label: string,
  stream: Writable & { isTTY?: boolean },
  opts: { plainEveryMs?: number } = {},
): Progress {
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {detail}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: stream.isTTY === true,
    noTTYOutput: true,
    notTTYSchedule: opts.plainEveryMs ?? 2000,
    etaBuffer: 50,
    fps: 10,
  });
  let started = false;
  return {
    update(value, total, detail) {
      if (!started) {
        bar.start(Math.max(total, 1), Math.min(value, Math.max(total, 1)), { detail });
        started = true;
        return;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(value, Math.max(total, 1)), { detail });
    },
    stop() {
      if (started) {
        bar.stop();
        started = false;
      }
    },
  };
}
