// Built apps as real processes (so a test can SIGKILL them), with the test harness's secrets.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_APP_SECRET, TEST_VERIFY_TOKEN } from '@app/testing';

export const API_MAIN = join(__dirname, '..', '..', 'dist/apps/api/src/main.js');
export const WORKER_MAIN = join(__dirname, '..', '..', 'dist/apps/worker/src/main.js');

/** Starts a built app (`npm test` builds first) with only the environment given. */
export function spawnBuilt(main: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      APP_SECRET: TEST_APP_SECRET,
      WEBHOOK_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: 'ignore',
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Waits until `GET {base}/health` answers 200 (at most 15 s). */
export async function waitForHealth(base: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base} did not become healthy`);
}
