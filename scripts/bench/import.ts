// Import benchmark: generates a 1,000,000-row CSV (phone + 5 attributes, 2% bad rows, 5% duplicate
// phones), uploads it through the real API to a real worker (both spawned from dist/), polls the
// import, samples the worker's RSS from /proc, and prints rows/s and max RSS for two runs of the
// same file into one fresh audience. Uses its own database (dropped and re-created).
//
//   npm run build && node dist/scripts/bench/import.js [--rows 1000000]
import { ADMIN_URL, cpuSeconds, databaseUrl, ROOT, rssMb, waitUp } from './bench-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';

const ROWS = Number(process.argv[process.argv.indexOf('--rows') + 1] || 1_000_000) || 1_000_000;
const DB_NAME = 'mmlite_bench_import';
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const API_KEY = 'bench-import-key-0123456789';
const DEADLINE_MS = 10 * 60 * 1000;

async function resetDatabase(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
}

const FIRST = ['Ana', 'Bruno', 'Carla', 'Diego', 'Eva', 'Fábio', 'Gina', 'Hugo', 'Íris', 'João'];
const CITY = [
  'São Paulo',
  'Rio de Janeiro',
  'Belo Horizonte',
  'Curitiba',
  'Recife',
  'Porto Alegre',
];
const PLAN = ['free', 'basic', 'pro', 'enterprise'];

async function generate(path: string): Promise<{ bad: number; dupes: number }> {
  const out = createWriteStream(path);
  let bad = 0;
  let dupes = 0;
  let buf = 'phone,firstName,lastName,city,plan,score\n';
  for (let i = 0; i < ROWS; i++) {
    let line: string;
    if (i % 50 === 7) {
      bad++;
      line = i % 100 === 7 ? `+55119${i},x,y,z,w,1` : `not-a-phone-${i},a,b,c,d,1`;
    } else {
      // 5% of rows repeat the phone of an earlier row (same data: a true duplicate)
      const n = i % 20 === 3 && i > 20 ? i - 13 : i;
      if (n !== i) {
        dupes++;
      }
      const phone = `+55119${String(10_000_000 + n * 7).padStart(8, '0')}`;
      line = `${phone},${FIRST[n % 10]},Silva ${n % 997},${CITY[n % 6]},${PLAN[n % 4]},${n % 1000}`;
    }
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) {
        await once(out, 'drain');
      }
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return { bad, dupes };
}

function start(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') {
      process.stderr.write(`${name} exited (${code ?? signal})\n`);
    }
  });
  return child;
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}

async function runOnce(
  label: string,
  file: string,
  audienceId: string,
  workerPid: number,
): Promise<void> {
  let maxRss = rssMb(workerPid);
  const idleRss = maxRss;
  const cpu0 = cpuSeconds(workerPid);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(workerPid))), 50);
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${PORT}/v1/audiences/${audienceId}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  const accepted: any = await res.json();
  const uploadedMs = Date.now() - t0;
  if (res.status !== 202) {
    throw new Error(`upload refused: ${res.status} ${JSON.stringify(accepted)}`);
  }
  let imp: any;
  do {
    await new Promise((r) => setTimeout(r, 100));
    imp = await call('GET', `/v1/imports/${accepted.id}`);
  } while (imp.status !== 'completed' && imp.status !== 'failed' && Date.now() - t0 < DEADLINE_MS);
  const totalMs = Date.now() - t0;
  clearInterval(sampler);
  maxRss = Math.max(maxRss, rssMb(workerPid));
  const workMs = new Date(imp.finishedAt).getTime() - new Date(imp.startedAt).getTime();
  process.stdout.write(
    `${label}: ${imp.status} rows=${imp.totalRows} created=${imp.created} updated=${imp.updated} ` +
      `skipped=${imp.skipped} failed=${imp.failed} | upload ${(uploadedMs / 1000).toFixed(1)} s, ` +
      `worker ${(workMs / 1000).toFixed(1)} s, end to end ${(totalMs / 1000).toFixed(1)} s = ` +
      `${Math.round(imp.totalRows / (totalMs / 1000))} rows/s | worker RSS max ${maxRss.toFixed(0)} MB ` +
      `(${idleRss.toFixed(0)} MB before), worker CPU ${(cpuSeconds(workerPid) - cpu0).toFixed(1)} s\n`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mmlite-bench-'));
  const file = join(dir, 'contacts.csv');
  const children: ChildProcess[] = [];
  try {
    const g0 = Date.now();
    const { bad, dupes } = await generate(file);
    process.stdout.write(
      `generated ${ROWS} rows (${bad} bad, ${dupes} duplicate phones), ${(statSync(file).size / 1e6).toFixed(0)} MB in ${((Date.now() - g0) / 1000).toFixed(1)} s\n`,
    );
    await resetDatabase();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(DB_NAME),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `bench-import-${process.pid}`,
      PORT: String(PORT),
      API_KEY,
      APP_SECRET: 'bench-app-secret',
      WEBHOOK_VERIFY_TOKEN: 'bench-verify',
      ENCRYPTION_KEY: 'ab'.repeat(32),
      LOG_LEVEL: 'warn',
      ...(process.env.IMPORT_BATCH_ROWS
        ? { IMPORT_BATCH_ROWS: process.env.IMPORT_BATCH_ROWS }
        : {}),
    };
    const migrate = spawn(process.execPath, [join(ROOT, 'dist/libs/db/src/migrate.js')], {
      env,
      stdio: 'ignore',
    });
    await once(migrate, 'exit');
    const api = start('api', 'dist/apps/api/src/main.js', env);
    // e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker
    const worker = start(
      'worker',
      'dist/apps/worker/src/main.js',
      env,
      (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    );
    children.push(api, worker);
    await waitUp(`http://127.0.0.1:${PORT}/health`, 'API', 200);
    const audience = await call('POST', '/v1/audiences', { name: 'bench' });
    await runOnce('first import (empty audience)', file, audience.id, worker.pid as number);
    await runOnce('same file again          ', file, audience.id, worker.pid as number);
  } finally {
    for (const c of children) {
      c.kill('SIGTERM');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
