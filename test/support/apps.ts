import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigModule, type AppConfig } from '@app/config';
import { DbModule } from '@app/db';
import { GraphClientModule } from '@app/graph-client';
import { RedisModule } from '@app/redis';
import { WebhookEventsService, WebhooksModule } from '@app/webhooks';
import { ApiKeysService } from '@app/accounts';
import type { Clock, WorkspaceId } from '@app/common';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { createSandboxApp } from '../../apps/sandbox/src/create-sandbox-app';

export interface RunningApp<T = NestFastifyApplication> {
  app: T;
  url: string;
  close(): Promise<void>;
}

async function listen(app: NestFastifyApplication, port = 0): Promise<RunningApp> {
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') {
    throw new Error('app did not bind a TCP port');
  }
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function startSandbox(config: AppConfig): Promise<RunningApp> {
  return listen(await createSandboxApp(config));
}

/** `port`: listen there (e.g. the port PUBLIC_LINK_BASE_URL names), else on any free port. */
export async function startApi(config: AppConfig, clock?: Clock, port = 0): Promise<RunningApp> {
  return listen(await createApiApp(config, clock), port);
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() =>
        a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startWorker(
  config: AppConfig,
  clock?: Clock,
): Promise<INestApplicationContext> {
  return createWorkerApp(config, clock);
}

/**
 * A clock for e2e tests of timing rules: it runs with real time (slots, timers and leases keep
 * working) and jumps ahead when the test moves it, for every app that was given it.
 */
export class MovableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Moves so that it reads `at` now. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
}

/** A fresh workspace with one API key: isolation between tests without truncating tables. */
export async function newWorkspace(
  api: RunningApp,
  name = 'test workspace',
): Promise<{ workspaceId: WorkspaceId; apiKey: string }> {
  const { workspaceId, key } = await api.app.get(ApiKeysService).createWorkspace(name);
  return { workspaceId, apiKey: key.secret };
}

/** Small JSON client for tests: returns status, headers and parsed body. */
export async function http(
  base: string,
  method: string,
  path: string,
  opts: {
    key?: string;
    body?: unknown;
    headers?: Record<string, string>;
    raw?: string | Buffer;
  } = {},
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) {
    headers.authorization = `Bearer ${opts.key}`;
  }
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  // A redirect is an answer to look at (tracked links), not to follow.
  const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}

/** The worker's webhook side as production wires it, without its drain loops: the test drains. */
@Module({})
class WebhookApplierModule {}

export async function startWebhookApplier(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    {
      module: WebhookApplierModule,
      imports: [
        ConfigModule.forRoot(config),
        DbModule,
        RedisModule,
        GraphClientModule,
        WebhooksModule.forWorker(),
      ],
    },
    { logger: false },
  );
}

/** Applies the journal until nothing is due (parked events stay parked). */
export async function drainJournal(app: INestApplicationContext): Promise<void> {
  const webhooks = app.get(WebhookEventsService);
  for (;;) {
    const r = await webhooks.processNextBatch();
    if (r.events === 0 && r.failed === 0) {
      return;
    }
  }
}
