// Boots the whole engine for an e2e test: the Graph sandbox, the API and the worker, wired
// together (Graph base URL, webhook callback) with short delays, plus helpers that act as a
// marketer would through the public API.
import type { INestApplicationContext } from '@nestjs/common';
import { testConfig } from '@app/testing';
import {
  freePort,
  http,
  MovableClock,
  newWorkspace,
  startApi,
  startSandbox,
  startWorker,
  type RunningApp,
} from './apps';
import type { AppConfig } from '@app/config';

export const WABA = '100000000000001';
export const PHONE_NUMBER_ID = '100000000000002';
export const TOKEN = 'sandbox-token';

export interface Engine {
  sandbox: RunningApp;
  api: RunningApp;
  worker: INestApplicationContext | null;
  config: AppConfig;
  /** The API's and the worker's clock: moves with real time, jumps when a test advances it. */
  clock: MovableClock;
  key: string;
  workspaceId: string;
  accountId: string;
  phoneId: string;
  control(method: string, path: string, body?: unknown): Promise<any>;
  v1(method: string, path: string, body?: unknown): Promise<any>;
  /** Like v1, with extra request headers (e.g. Idempotency-Key). */
  v1H(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** The engine's send timings in e2e tests: short, and consistent with each other (see timingProblems). */
export const TEST_TIMINGS = {
  SCHEDULER_TICK_MS: '100',
  GRAPH_API_TIMEOUT_MS: '2500',
  WORKER_LEASE_TTL_MS: '2000',
  SEND_IN_DOUBT_AFTER_MS: '1000',
  SEND_RESEND_AFTER_MS: '6000',
};

export const FAST_SANDBOX = {
  wire: { latencyMs: { p50: 0, p99: 0, max: 0 }, dropAnswer: 0, timeout: 0, serverError: 0 },
  delays: { sentMs: 1, deliveredMs: 5, readMs: 5, failedMs: 1, replyMs: 5, templateReviewMs: 20 },
  probabilities: {
    delivered: 1,
    read: 1,
    perUserCap: 0,
    undeliverable: 0,
    stopReply: 0,
    buttonReply: 0,
    urlClick: 0,
    conversion: 0,
  },
};

export async function startEngine(
  env: Record<string, string> = {},
  opts: { worker?: boolean } = {},
): Promise<Engine> {
  const sandbox = await startSandbox(testConfig());
  // The API's own port is chosen first, so tracked links (PUBLIC_LINK_BASE_URL) lead to it.
  const port = await freePort();
  const config = testConfig({
    GRAPH_API_BASE_URL: sandbox.url,
    ...TEST_TIMINGS,
    SCHEDULE_GRACE_MS: '60000',
    PORT: String(port),
    PUBLIC_LINK_BASE_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
  const clock = new MovableClock();
  const api = await startApi(config, clock, port);
  const worker = opts.worker === false ? null : await startWorker(config, clock);
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await http(sandbox.url, method, `/_sandbox${path}`, { body });
    if (res.status >= 400) {
      throw new Error(`sandbox ${method} ${path}: ${res.status} ${res.text}`);
    }
    return res.body;
  };
  await control('PATCH', '/settings', {
    ...FAST_SANDBOX,
    webhookUrl: `${api.url}/webhooks/whatsapp`,
  });
  const { apiKey, workspaceId } = await newWorkspace(api);
  const v1 = async (method: string, path: string, body?: unknown) =>
    http(api.url, method, `/v1${path}`, { key: apiKey, body });
  const acc = await v1('POST', '/business-accounts', { wabaId: WABA, accessToken: TOKEN });
  return {
    sandbox,
    api,
    worker,
    config,
    clock,
    key: apiKey,
    workspaceId,
    accountId: acc.body.id,
    phoneId: acc.body.phoneNumbers[0].id,
    control,
    v1,
    v1H: (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      http(api.url, method, `/v1${path}`, { key: apiKey, body, headers }),
    async close() {
      await worker?.close();
      await api.close();
      await sandbox.close();
    },
  };
}

/**
 * Seeds an APPROVED marketing template at the sandbox and mirrors it into the engine; `meta` adds
 * fields of Meta's template node (e.g. `message_send_ttl_seconds`).
 */
export async function approvedTemplate(
  e: Engine,
  name: string,
  meta: Record<string, unknown> = {},
): Promise<{ id: string; metaId: string }> {
  const seeded = await e.control('POST', '/templates', {
    wabaId: WABA,
    name,
    language: 'en_US',
    category: 'MARKETING',
    ...meta,
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, use code {{2}} for a treat today',
        example: { body_text: [['Ana', 'CODE1']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ],
  });
  await e.v1('POST', '/templates/sync', { businessAccountId: e.accountId });
  const list = await e.v1('GET', '/templates?limit=1000');
  const t = list.body.data.find((x: { metaTemplateId: string }) => x.metaTemplateId === seeded.id);
  return { id: t.id, metaId: seeded.id };
}

/** The test template's bindings: {{1}} the contact's firstName, {{2}} a code. */
export const TEST_BINDINGS = { body: ['{{contact.attributes.firstName}}', 'SAVE10'] };

/** Creates a draft campaign from the engine's number (fails the test on anything but 201). */
export async function createCampaign(
  e: Engine,
  templateId: string,
  audienceId: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await e.v1('POST', '/campaigns', {
    name: 'test campaign',
    templateId,
    audienceId,
    phoneNumberId: e.phoneId,
    parameters: TEST_BINDINGS,
    ...extra,
  });
  if (res.status !== 201) {
    throw new Error(`create campaign: ${res.status} ${res.text}`);
  }
  return res.body.id as string;
}

/** Opted-in people with a first name (what the test template binds). */
export const optedIn = (list: string[], firstName = 'Pat'): Person[] =>
  list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName }));

export interface Person {
  phone: string;
  consent?: 'opted_in' | 'opted_out' | 'none';
  firstName?: string;
}

/** Creates contacts with their consent and an audience holding them all. */
export async function audienceOf(e: Engine, people: Person[]): Promise<string> {
  const aud = await e.v1('POST', '/audiences', { name: `aud ${Date.now()} ${Math.random()}` });
  // Big lists sixteen people at a time (one by one, a thousand contacts took half a minute on a
  // loaded machine); small ones in order, so their messages go out in the order listed.
  const add = async (p: Person) => {
    const c = await e.v1('POST', '/contacts', {
      phone: p.phone,
      attributes: p.firstName ? { firstName: p.firstName } : {},
    });
    if (c.status >= 300) {
      throw new Error(`contact ${p.phone}: ${c.text}`);
    }
    if (p.consent && p.consent !== 'none') {
      const r = await e.v1('POST', '/consents', {
        phone: p.phone,
        status: p.consent,
        source: 'test-form',
      });
      if (r.status >= 300) {
        throw new Error(`consent ${p.phone}: ${r.text}`);
      }
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: people.length > 50 ? 16 : 1 }, async () => {
      while (next < people.length) {
        await add(people[next++]!);
      }
    }),
  );
  const m = await e.v1('POST', `/audiences/${aud.body.id}/members`, {
    phones: people.map((p) => p.phone),
  });
  if (m.status >= 300) {
    throw new Error(`members: ${m.text}`);
  }
  return aud.body.id;
}

/** Brazilian mobile numbers, unique per call site and index. */
export function phones(n: number, block: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `+55119${String(block).padStart(3, '0')}${String(i).padStart(5, '0')}`,
  );
}

export async function until<T>(
  what: string,
  f: () => Promise<T | null | undefined | false>,
  ms = 20_000,
  describe?: () => Promise<unknown>,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      const state = describe ? ` (last state: ${JSON.stringify(await describe())})` : '';
      throw new Error(`timed out waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Accepted sends per recipient at the sandbox (the exactly-once evidence). */
export async function acceptedPerRecipient(
  e: Engine,
  list: string[],
): Promise<{ repeatAccepts: number; recipients: Record<string, number> }> {
  const res = await http(
    e.sandbox.url,
    'GET',
    `/_sandbox/counters/recipients?phones=${list.map((p) => encodeURIComponent(p)).join(',')}`,
  );
  return res.body;
}
