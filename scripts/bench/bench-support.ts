// Helpers every benchmark script shares: where the repository and the admin database are,
// free ports, waiting for a service, /proc readings of a process, and percentiles.
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Benchmarks run from dist/scripts/bench/ (compiled); the repository root is three levels up. */
export const ROOT = join(__dirname, '..', '..', '..');

export const ADMIN_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The admin server's URL with another database name. */
export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export const sleep = (ms: number): Promise<void> =>
  new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `url` until it answers 2xx, or throws naming `what`. */
export async function waitUp(url: string, what: string, tries = 300, everyMs = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return;
    }
    await sleep(everyMs);
  }
  throw new Error(`${what} did not come up (did you run \`npm run build\`?)`);
}

export function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readProc(pid, 'stat').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** Resident memory of a process in MB (0 once it is gone). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Nearest-rank percentile (`p` in percent) of ascending values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? NaN;
}
