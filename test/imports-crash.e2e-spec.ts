import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  testConfig,
  workerDatabaseUrl,
  testRedisUrl,
  TEST_APP_SECRET,
  TEST_VERIFY_TOKEN,
} from '@app/testing';
import { http, newWorkspace, startApi, startWorker, type RunningApp } from './support/apps';

const WORKER_MAIN = join(__dirname, '..', 'dist', 'apps', 'worker', 'src', 'main.js');

describe('a worker killed mid-import (built worker, SIGKILL)', () => {
  const prefix = `${process.env.MMLITE_TEST_DB_PREFIX}-crash-${process.pid}`;
  const env = { IMPORT_BATCH_ROWS: '500', IMPORT_LEASE_MS: '1000', REDIS_PREFIX: prefix };
  let api: RunningApp;
  let child: ChildProcess | null = null;
  let rescuer: INestApplicationContext | null = null;

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN)) {
      throw new Error(`run "npm run build" first: ${WORKER_MAIN} is missing`);
    }
    api = await startApi(testConfig(env));
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await rescuer?.close();
    await api?.close();
  });

  it('resumes from the last committed batch on another worker without duplicates or losses', async () => {
    const { apiKey: key, workspaceId } = await newWorkspace(api);
    const aud = await http(api.url, 'POST', '/v1/audiences', { key, body: { name: 'big' } });
    const rows = 60_000;
    const lines = ['phone,seq,group'];
    const valid = new Set<string>();
    for (let i = 0; i < rows; i++) {
      // every 20th row repeats an earlier row exactly; every 50th row is bad
      const n = i % 20 === 19 ? i - 10 : i;
      const phone = `+1212${String(5_000_000 + n).padStart(7, '0')}`;
      if (i % 50 === 49) {
        lines.push(`bad-${i},${n},g`);
      } else {
        lines.push(`${phone},${n},g${n % 7}`);
        valid.add(phone);
      }
    }
    const child_ = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: workerDatabaseUrl(),
        REDIS_URL: testRedisUrl(),
        APP_SECRET: TEST_APP_SECRET,
        WEBHOOK_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
        LOG_LEVEL: 'error',
        ...env,
      },
      stdio: 'ignore',
    });
    child = child_;
    const post = await http(api.url, 'POST', `/v1/audiences/${aud.body.id}/imports`, {
      key,
      raw: lines.join('\n'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(post.status).toBe(202);
    const id = post.body.id;

    // Kill the worker as soon as some batches are committed, long before the end.
    let seen: any;
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((r) => setTimeout(r, 20));
      seen = (await http(api.url, 'GET', `/v1/imports/${id}`, { key })).body;
    } while (seen.totalRows < 2000 && seen.status !== 'completed' && Date.now() < deadline);
    child_.kill('SIGKILL');
    await new Promise((r) => child_.once('exit', r));
    child = null;
    const atKill = (await http(api.url, 'GET', `/v1/imports/${id}`, { key })).body;
    expect(atKill.status).toBe('running');
    expect(atKill.totalRows).toBeGreaterThan(0);
    expect(atKill.totalRows).toBeLessThan(rows);

    // A fresh worker notices the lapsed lease, re-enqueues and resumes after the checkpoint.
    rescuer = await startWorker(testConfig(env));
    let done: any;
    const until = Date.now() + 60_000;
    do {
      await new Promise((r) => setTimeout(r, 100));
      done = (await http(api.url, 'GET', `/v1/imports/${id}`, { key })).body;
    } while (done.status !== 'completed' && done.status !== 'failed' && Date.now() < until);

    const bad = rows / 50;
    const distinct = valid.size;
    const dupes = rows - bad - distinct;
    expect(done).toMatchObject({
      status: 'completed',
      totalRows: rows,
      failed: bad,
      created: distinct,
      updated: 0,
    });
    expect(done.skipped).toBe(dupes);
    // the first 1000 bad rows are kept, each once, with its CSV row number (header = row 1)
    expect(done.errors.map((e: any) => e.row)).toEqual(
      Array.from({ length: 1000 }, (_, k) => 50 * k + 51),
    );
    const db = api.app.get(DataSource);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(n).toBe(distinct);
    const [{ m }] = await db.query(
      `SELECT count(*)::int AS m FROM audience_members WHERE audience_id = $1`,
      [aud.body.id],
    );
    expect(m).toBe(distinct);
    expect(
      (await http(api.url, 'GET', `/v1/audiences/${aud.body.id}`, { key })).body.memberCount,
    ).toBe(distinct);
    const [{ chunks }] = await db.query(
      `SELECT count(*)::int AS chunks FROM import_chunks WHERE import_id = $1`,
      [id],
    );
    expect(chunks).toBe(0);
  });
});
