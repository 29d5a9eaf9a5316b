import type { ChildProcess } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { testConfig, TEST_APP_SECRET, TEST_VERIFY_TOKEN } from '@app/testing';
import {
  drainJournal,
  http,
  newWorkspace,
  startApi,
  startWebhookApplier,
  startWorker,
  type RunningApp,
} from './support/apps';
import { API_MAIN, freePort, spawnBuilt, waitForHealth } from './support/processes';
import { signWebhookBody, WebhookEventsService } from '@app/webhooks';
import {
  inboundPayload,
  statusPayload,
  templateStatusPayload,
  userPreferencePayload,
  type StatusSpec,
  WABA_ID,
} from '../scripts/bench/webhooks-payloads';

const T0 = 1_900_000_000; // unix seconds; the rules never look at the wall clock
let seq = 0;
const uniq = (label: string) => `${label}${Date.now().toString(36)}${(seq++).toString(36)}`;

describe('webhooks from Meta (api + batch processing, real Postgres)', () => {
  let api: RunningApp;
  let worker: INestApplicationContext;
  let db: DataSource;
  let webhooks: WebhookEventsService;

  beforeAll(async () => {
    const config = testConfig({ WEBHOOK_MAX_ATTEMPTS: '3' });
    api = await startApi(config);
    worker = await startWebhookApplier(config);
    db = worker.get(DataSource);
    webhooks = worker.get(WebhookEventsService);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  function post(
    payload: unknown,
    opts: { signature?: string | null; requestId?: string; contentType?: string } = {},
  ) {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': opts.contentType ?? 'application/json',
    };
    const signature =
      opts.signature === undefined ? signWebhookBody(raw, TEST_APP_SECRET) : opts.signature;
    if (signature !== null) {
      headers['x-hub-signature-256'] = signature;
    }
    if (opts.requestId) {
      headers['x-request-id'] = opts.requestId;
    }
    return http(api.url, 'POST', '/webhooks/whatsapp', { raw, headers });
  }

  const drain = (): Promise<void> => drainJournal(worker);

  async function storedFor(requestId: string) {
    return db.query(
      `SELECT id, processed_at, malformed, unknown, error, attempts, retry_at, body
       FROM webhook_events WHERE request_id = $1`,
      [requestId],
    );
  }

  /** The delivery ledger's rows for wamids like `pattern`. */
  async function ledger(pattern: string): Promise<any[]> {
    return db.query(`SELECT * FROM message_statuses WHERE wamid LIKE $1 ORDER BY wamid`, [pattern]);
  }

  /** How many messages of a scope the ledger holds in each status. */
  async function statusCounts(scope: string): Promise<Record<string, number>> {
    const rows: { status: string; n: number }[] = await db.query(
      `SELECT status, count(*)::int AS n FROM message_statuses WHERE wamid LIKE $1 GROUP BY status`,
      [`wamid.${scope}.%`],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  describe('verification handshake', () => {
    const q = (mode: string, token: string, challenge = '1158201444') =>
      `/webhooks/whatsapp?hub.mode=${mode}&hub.challenge=${challenge}&hub.verify_token=${encodeURIComponent(token)}`;

    it('answers the challenge as plain text when the token matches, without an API key', async () => {
      const res = await http(api.url, 'GET', q('subscribe', TEST_VERIFY_TOKEN));
      expect(res.status).toBe(200);
      expect(res.text).toBe('1158201444');
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    });

    it('answers 403 to a wrong token, a wrong mode or a missing challenge', async () => {
      expect((await http(api.url, 'GET', q('subscribe', 'wrong-token'))).status).toBe(403);
      expect((await http(api.url, 'GET', q('unsubscribe', TEST_VERIFY_TOKEN))).status).toBe(403);
      expect((await http(api.url, 'GET', q('subscribe', TEST_VERIFY_TOKEN, ''))).status).toBe(403);
      expect((await http(api.url, 'GET', '/webhooks/whatsapp')).status).toBe(403);
    });
  });

  describe('signature', () => {
    const payload = () =>
      statusPayload([{ wamid: `wamid.${uniq('sig')}.1`, status: 'sent', at: T0 }]);

    it('stores a correctly signed payload before answering 200', async () => {
      const requestId = uniq('req-');
      const res = await post(payload(), { requestId });
      expect(res.status).toBe(200);
      const rows = await storedFor(requestId);
      expect(rows).toHaveLength(1);
      expect(rows[0].processed_at).toBeNull();
    });

    it('answers 401 and stores nothing when the signature is absent or wrong', async () => {
      for (const signature of [
        null,
        'sha256=' + '0'.repeat(64),
        'garbage',
        signWebhookBody('x', 'other'),
      ]) {
        const requestId = uniq('req-');
        const res = await post(payload(), { signature, requestId });
        expect(res.status).toBe(401);
        expect(res.body.message).toMatch(/X-Hub-Signature-256/);
        expect(await storedFor(requestId)).toHaveLength(0);
      }
    });

    it('answers 401 to a body altered by one byte after signing', async () => {
      const raw = JSON.stringify(payload());
      const signature = signWebhookBody(raw, TEST_APP_SECRET);
      const altered = raw.replace('"sent"', '"senT"');
      expect(altered).not.toBe(raw);
      const requestId = uniq('req-');
      expect((await post(altered, { signature, requestId })).status).toBe(401);
      expect(await storedFor(requestId)).toHaveLength(0);
    });

    it('stores the exact bytes it verified (whitespace and key order untouched)', async () => {
      const raw = `{ "object":"whatsapp_business_account",\n  "entry": [] }`;
      const requestId = uniq('req-');
      expect((await post(raw, { requestId })).status).toBe(200);
      const [row] = await storedFor(requestId);
      expect(Buffer.from(row.body).toString('utf8')).toBe(raw);
    });

    it('answers 413 to a body over WEBHOOK_BODY_LIMIT_BYTES', async () => {
      const raw = 'x'.repeat(4 * 1024 * 1024 + 10);
      expect((await post(raw)).status).toBe(413);
    });
  });

  describe('malformed and unknown payloads', () => {
    it('stores malformed JSON, answers 200, and flags it when processed', async () => {
      const requestId = uniq('req-');
      const res = await post('{"object": "whatsapp_business_account", "entry": [', { requestId });
      expect(res.status).toBe(200);
      await drain();
      const [row] = await storedFor(requestId);
      expect(row).toMatchObject({ malformed: true, unknown: false });
      expect(row.processed_at).not.toBeNull();
      expect(row.error).toMatch(/not JSON/);
    });

    it('accepts a payload whatever its content type', async () => {
      const requestId = uniq('req-');
      const res = await post('not json at all', { requestId, contentType: 'text/plain' });
      expect(res.status).toBe(200);
      expect(await storedFor(requestId)).toHaveLength(1);
    });

    it('flags an unknown field but applies what it understood', async () => {
      const scope = uniq('unk');
      const p = statusPayload([{ wamid: `wamid.${scope}.1`, status: 'delivered', at: T0 }]) as any;
      p.entry[0].changes.push({ field: 'brand_new_field', value: { x: 1 } });
      const requestId = uniq('req-');
      expect((await post(p, { requestId })).status).toBe(200);
      await drain();
      const [row] = await storedFor(requestId);
      expect(row).toMatchObject({ malformed: false, unknown: true });
      expect(row.error).toMatch(/brand_new_field/);
      expect(await statusCounts(scope)).toEqual({ delivered: 1 });
    });
  });

  describe('statuses', () => {
    it('applies a payload with 100 statuses', async () => {
      const scope = uniq('hundred');
      const specs: StatusSpec[] = Array.from({ length: 100 }, (_, i) => ({
        wamid: `wamid.${scope}.${i}`,
        status: 'sent',
        at: T0 + i,
        callbackData: `cb-${scope}-${i}`,
      }));
      expect((await post(statusPayload(specs))).status).toBe(200);
      await drain();
      expect(await statusCounts(scope)).toEqual({ sent: 100 });
      const stored = await ledger(`wamid.${scope}.%`);
      expect(stored).toHaveLength(100);
      expect(stored.find((s) => s.wamid === `wamid.${scope}.7`)).toMatchObject({
        status: 'sent',
        sent_at: new Date((T0 + 7) * 1000),
        callback_data: `cb-${scope}-7`,
        recipient_id: '447700900123',
        phone_number_id: '100000000000002',
        pricing_category: 'marketing_lite',
        pricing_type: 'regular',
        pricing_model: 'PMP',
        pricing_billable: true,
      });
    });

    it('ends in the right state and counts with duplicates and reversed order', async () => {
      const scope = uniq('order');
      const n = 40;
      const w = (i: number) => `wamid.${scope}.${i}`;
      // Messages 0..29 end read; 30..34 fail after delivery; 35..39 fail straight away.
      const posts: StatusSpec[][] = [];
      for (let i = 0; i < n; i++) {
        if (i < 30) {
          posts.push([{ wamid: w(i), status: 'read', at: T0 + 30 }]);
          posts.push([{ wamid: w(i), status: 'delivered', at: T0 + 20 }]);
          posts.push([{ wamid: w(i), status: 'sent', at: T0 + 10 }]);
        } else if (i < 35) {
          posts.push([{ wamid: w(i), status: 'failed', at: T0 + 40, errorCode: 131026 }]);
          posts.push([{ wamid: w(i), status: 'delivered', at: T0 + 20 }]);
          posts.push([{ wamid: w(i), status: 'sent', at: T0 + 10 }]);
        } else {
          posts.push([{ wamid: w(i), status: 'failed', at: T0 + 11, errorCode: 131050 }]);
          posts.push([{ wamid: w(i), status: 'sent', at: T0 + 10 }]);
        }
      }
      // Every post twice, the copies interleaved with processing of partial batches.
      for (const [k, specs] of posts.entries()) {
        expect((await post(statusPayload(specs))).status).toBe(200);
        if (k % 17 === 0) {
          await webhooks.processNextBatch(5);
        }
      }
      await Promise.all(
        posts.map(async (specs) => expect((await post(statusPayload(specs))).status).toBe(200)),
      );
      await drain();

      expect(await statusCounts(scope)).toEqual({ read: 30, failed: 10 });
      const states = await ledger(`wamid.${scope}.%`);
      expect(states).toHaveLength(n);
      expect(states.find((s) => s.wamid === w(3))).toMatchObject({
        sent_at: new Date((T0 + 10) * 1000),
        delivered_at: new Date((T0 + 20) * 1000),
        read_at: new Date((T0 + 30) * 1000),
        failed_at: null,
      });
      expect(states.find((s) => s.wamid === w(31))).toMatchObject({
        status: 'failed',
        delivered_at: new Date((T0 + 20) * 1000),
        error_code: 131026,
      });
      expect(
        states
          .filter((s) => s.error_code === 131050)
          .map((s) => s.wamid)
          .sort(),
      ).toEqual([35, 36, 37, 38, 39].map(w).sort());
    });

    it('keeps a status for a message nobody knows yet, findable by wamid and callback data', async () => {
      const scope = uniq('early');
      await post(
        statusPayload([
          { wamid: `wamid.${scope}.1`, status: 'delivered', at: T0, callbackData: `cb-${scope}` },
        ]),
      );
      await drain();
      const [byCallback] = await db.query(
        `SELECT wamid, status FROM message_statuses WHERE callback_data = $1`,
        [`cb-${scope}`],
      );
      expect(byCallback).toEqual({ wamid: `wamid.${scope}.1`, status: 'delivered' });
    });
  });

  describe('characters Postgres refuses', () => {
    it('applies a payload with NUL in an inbound text beside statuses, keeping the text escaped', async () => {
      const scope = uniq('nul');
      const p = statusPayload([
        { wamid: `wamid.${scope}.1`, status: 'delivered', at: T0 },
        { wamid: `wamid.${scope}.2`, status: 'read', at: T0 },
      ]) as any;
      const inbound = inboundPayload([
        { wamid: `wamid.${scope}.in`, from: '447700900555', at: T0, text: 'a\u0000b \ud800' },
      ]) as any;
      p.entry[0].changes.push(inbound.entry[0].changes[0]);
      const requestId = uniq('req-');
      expect((await post(p, { requestId })).status).toBe(200);
      await drain();
      const [row] = await storedFor(requestId);
      expect(row.processed_at).not.toBeNull();
      expect(row.attempts).toBe(1);
      expect(await statusCounts(scope)).toEqual({ delivered: 1, read: 1 });
      const [msg] = await db.query(`SELECT raw FROM inbound_messages WHERE wamid = $1`, [
        `wamid.${scope}.in`,
      ]);
      expect(msg.raw.text.body).toBe('a\\u0000b \ufffd');
    });

    it('flags a body that is not JSON as malformed at once, whatever bytes it holds', async () => {
      const requestId = uniq('req-');
      // JSON.parse's message quotes the body: NUL, invalid UTF-8 and all.
      const raw = Buffer.concat([
        Buffer.from('nope '),
        Buffer.from([0x00, 0xff, 0xfe]),
        Buffer.from(' x'),
      ]);
      const headers = {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(raw, TEST_APP_SECRET),
        'x-request-id': requestId,
      };
      expect((await http(api.url, 'POST', '/webhooks/whatsapp', { raw, headers })).status).toBe(
        200,
      );
      await drain();
      const [row] = await storedFor(requestId);
      expect(row).toMatchObject({ malformed: true, attempts: 1 });
      expect(row.processed_at).not.toBeNull();
      expect(Buffer.from(row.body)).toEqual(raw);
    });
  });

  describe('inbound messages', () => {
    it('turns STOP and the opt-out button into opt-outs with the message as proof, once', async () => {
      const scope = uniq('in');
      const payload = inboundPayload([
        { wamid: `wamid.${scope}.stop`, from: '447700900001', at: T0, text: '  stop ' },
        { wamid: `wamid.${scope}.hello`, from: '447700900002', at: T0, text: 'please stop by' },
        {
          wamid: `wamid.${scope}.btn`,
          from: '447700900003',
          at: T0,
          contextWamid: `wamid.${scope}.tpl`,
          button: { payload: 'Stop promotions', text: 'Stop promotions' },
        },
      ]);
      expect((await post(payload)).status).toBe(200);
      expect((await post(payload)).status).toBe(200);
      await drain();
      const got: any[] = await db.query(
        `SELECT wamid, is_opt_out, opt_out_reason, raw FROM inbound_messages WHERE wamid LIKE $1
          ORDER BY created_at, wamid`,
        [`wamid.${scope}.%`],
      );
      expect(got.map((g) => [g.wamid, g.is_opt_out, g.opt_out_reason]).sort()).toEqual(
        [
          [`wamid.${scope}.stop`, true, 'keyword'],
          [`wamid.${scope}.hello`, false, null],
          [`wamid.${scope}.btn`, true, 'button'],
        ].sort(),
      );
      expect(got.find((g) => g.wamid === `wamid.${scope}.stop`).raw).toEqual({
        from: '447700900001',
        id: `wamid.${scope}.stop`,
        timestamp: String(T0),
        type: 'text',
        text: { body: '  stop ' },
      });
      const [proof] = await db.query(
        `SELECT is_opt_out, raw FROM inbound_messages WHERE wamid = $1`,
        [`wamid.${scope}.stop`],
      );
      expect(proof.is_opt_out).toBe(true);
      expect(proof.raw.text.body).toBe('  stop ');
    });

    it('records a quick-reply press as a click on the template message', async () => {
      const scope = uniq('click');
      await post(
        inboundPayload([
          {
            wamid: `wamid.${scope}.tap`,
            from: '447700900004',
            at: T0,
            contextWamid: `wamid.${scope}.template`,
            button: { payload: 'MORE_INFO', text: 'Tell me more' },
          },
        ]),
      );
      await drain();
      const [tap] = await db.query(`SELECT * FROM inbound_messages WHERE wamid = $1`, [
        `wamid.${scope}.tap`,
      ]);
      expect(tap).toMatchObject({
        is_button_click: true,
        is_opt_out: false,
        context_wamid: `wamid.${scope}.template`,
        phone_number_id: '100000000000002',
      });
    });
  });

  describe('template events and user preferences', () => {
    it('delivers each once, even when Meta sends it twice', async () => {
      const templateId = 9_000_000_000_000 + (seq++ % 1000) * 1000 + (Date.now() % 1000);
      const waId = `4477009${String(Date.now()).slice(-5)}`;
      for (let i = 0; i < 2; i++) {
        await post(templateStatusPayload(templateId, 'PAUSED', T0));
        await post(templateStatusPayload(templateId, 'APPROVED', T0 + 3 * 3600));
        await post(userPreferencePayload(waId, 'stop', T0));
      }
      const reports = [];
      for (;;) {
        const r = await webhooks.processNextBatch();
        if (r.events === 0) {
          break;
        }
        reports.push(r);
      }
      expect(reports.reduce((n, r) => n + r.templateEvents, 0)).toBe(2);
      expect(reports.reduce((n, r) => n + r.userPreferences, 0)).toBe(1);
    });
  });

  describe('failures', () => {
    it('parks an event that keeps failing, and applies the rest of the batch', async () => {
      const scope = uniq('parked');
      const badId = uniq('req-');
      const goodId = uniq('req-');
      // A wamid longer than the ledger allows: Postgres refuses the batch that holds it.
      const poison = `wamid.${scope}.poison${'x'.repeat(600)}`;
      await post(statusPayload([{ wamid: poison, status: 'sent', at: T0 }]), {
        requestId: badId,
      });
      await post(statusPayload([{ wamid: `wamid.${scope}.fine`, status: 'sent', at: T0 }]), {
        requestId: goodId,
      });
      await drain();
      const [bad] = await storedFor(badId);
      expect(bad.processed_at).toBeNull();
      expect(bad.attempts).toBe(1);
      expect(bad.error).toMatch(/message_statuses_wamid_check|check constraint/);
      expect(new Date(bad.retry_at).getTime()).toBeGreaterThan(Date.now());
      const [good] = await storedFor(goodId);
      expect(good.processed_at).not.toBeNull();
      // Nothing of the failed transaction leaked.
      expect(await statusCounts(scope)).toEqual({ sent: 1 });
      // Parked, not lost: once due again it is retried.
      await db.query(
        `UPDATE webhook_events SET retry_at = now() - interval '1 second' WHERE request_id = $1`,
        [badId],
      );
      await drain();
      expect((await storedFor(badId))[0].attempts).toBe(2);
    });

    it('moves an event to the dead letters after WEBHOOK_MAX_ATTEMPTS, lists it to its admins, and retries it on request', async () => {
      const scope = uniq('dead');
      const requestId = uniq('req-');
      const poison = `wamid.${scope}.poison${'x'.repeat(600)}`;
      await post(statusPayload([{ wamid: poison, status: 'sent', at: T0 }]), { requestId });
      const [{ id }] = await storedFor(requestId);
      const failAgain = async () => {
        await db.query(
          `UPDATE webhook_events SET retry_at = now() - interval '1 second' WHERE id = $1 AND retry_at IS NOT NULL`,
          [id],
        );
        await drain();
      };
      for (let i = 0; i < 3; i++) {
        await failAgain();
      }
      const [dead] = await storedFor(requestId);
      expect(dead).toMatchObject({ attempts: 3, processed_at: null, retry_at: null });
      const [{ dead_at: deadAt }] = await db.query(
        `SELECT dead_at FROM webhook_events WHERE id = $1`,
        [id],
      );
      expect(deadAt).not.toBeNull();
      // Never claimed again on its own.
      await failAgain();
      expect((await storedFor(requestId))[0].attempts).toBe(3);
      // The database holds the rule: a dead letter is neither processed nor due.
      await expect(
        db.query(`UPDATE webhook_events SET retry_at = now() WHERE id = $1`, [id]),
      ).rejects.toThrow(/webhook_events_dead_ck/);

      // Visible to the admins of a workspace that holds the WABA it is about, to no one else.
      const owner = await newWorkspace(api);
      await db.query(
        `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed)
         VALUES ($1, $2, 'sealed')`,
        [owner.workspaceId, WABA_ID],
      );
      const stranger = await newWorkspace(api);
      const list = (key: string, query = '?state=dead&limit=1000') =>
        http(api.url, 'GET', `/v1/webhook-events${query}`, { key });
      const listed = await list(owner.apiKey);
      expect(listed.status).toBe(200);
      const mine = listed.body.data.find((x: { id: string }) => x.id === id);
      expect(mine).toMatchObject({
        state: 'dead',
        attempts: 3,
        retryAt: null,
        wabaIds: [WABA_ID],
        lastError: expect.stringMatching(/check constraint/),
      });
      expect(mine.deadAt).toEqual(expect.any(String));
      expect((await list(owner.apiKey, '?state=failing&limit=1000')).body.data).not.toContainEqual(
        expect.objectContaining({ id }),
      );
      expect((await list(stranger.apiKey)).body.data).toEqual([]);
      const retryAs = (key: string, eventId: string) =>
        http(api.url, 'POST', `/v1/webhook-events/${eventId}/retry`, { key });
      expect((await retryAs(stranger.apiKey, id)).status).toBe(404);
      const viewer = await http(api.url, 'POST', '/v1/api-keys', {
        key: owner.apiKey,
        body: { name: 'viewer', role: 'viewer' },
      });
      expect((await list(viewer.body.secret)).status).toBe(403);
      expect((await retryAs(viewer.body.secret, id)).status).toBe(403);

      const metrics = await http(api.url, 'GET', '/metrics');
      const gauge = /^mmlite_webhook_events_dead (\d+)$/m.exec(metrics.text);
      expect(Number(gauge?.[1])).toBeGreaterThanOrEqual(1);

      // A retry makes it due at once, with a fresh count of attempts; it fails again, and waits.
      const retried = await retryAs(owner.apiKey, id);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id, state: 'pending', attempts: 0, deadAt: null });
      expect((await retryAs(owner.apiKey, id)).status).toBe(409);
      await drain();
      const [again] = await storedFor(requestId);
      expect(again.attempts).toBe(1);
      expect(new Date(again.retry_at).getTime()).toBeGreaterThan(Date.now());
      expect((await retryAs(owner.apiKey, '999999999999')).status).toBe(404);
      expect((await retryAs(owner.apiKey, 'abc')).status).toBe(404);
    });
  });

  describe('the worker app', () => {
    it('drains the journal on its own, woken by the insert notification', async () => {
      const running = await startWorker(testConfig());
      try {
        const requestId = uniq('req-');
        await post(statusPayload([{ wamid: `wamid.${uniq('live')}.1`, status: 'sent', at: T0 }]), {
          requestId,
        });
        const started = Date.now();
        let processed = false;
        while (!processed && Date.now() - started < 10_000) {
          processed = (await storedFor(requestId))[0]?.processed_at !== null;
          if (!processed) {
            await new Promise((r) => setTimeout(r, 25));
          }
        }
        expect(processed).toBe(true);
      } finally {
        await running.close();
      }
    });
  });
});

describe('durability: the API killed with SIGKILL right after answering 200', () => {
  let child: ChildProcess | null = null;
  let worker: INestApplicationContext | null = null;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await worker?.close();
  });

  it('has lost nothing it acknowledged, and every status in it is applied, NUL text and all', async () => {
    const port = await freePort();
    const config = testConfig({ REDIS_PREFIX: uniq('kill') });
    child = spawnBuilt(API_MAIN, {
      PORT: String(port),
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base);

    const scope = uniq('kill');
    const acknowledged: number[] = [];
    let killed = false;
    const send = async (i: number): Promise<void> => {
      const p = statusPayload([
        { wamid: `wamid.${scope}.${i}`, status: i % 3 === 0 ? 'read' : 'delivered', at: T0 },
      ]) as any;
      if (i % 4 === 0) {
        // What users type travels beside the statuses: NUL and a lone surrogate included.
        const inbound = inboundPayload([
          {
            wamid: `wamid.${scope}.in${i}`,
            from: '447700900777',
            at: T0,
            text: `hi\u0000${i}\ud800`,
          },
        ]) as any;
        p.entry[0].changes.push(inbound.entry[0].changes[0]);
      }
      const raw = JSON.stringify(p);
      try {
        const res = await fetch(`${base}/webhooks/whatsapp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': `${scope}-${i}`,
            'x-hub-signature-256': signWebhookBody(raw, TEST_APP_SECRET),
          },
          body: raw,
        });
        if (res.status === 200) {
          acknowledged.push(i);
          // Kill as soon as a good share has been answered, with many requests still in flight.
          if (acknowledged.length === 150 && !killed) {
            killed = true;
            child?.kill('SIGKILL');
          }
        }
      } catch {
        // Connection reset by the kill: not acknowledged, Meta would retry it.
      }
    };
    await Promise.all(Array.from({ length: 400 }, (_, i) => send(i)));
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    // A worker drains the journal afterwards, as production's would.
    worker = await startWebhookApplier(config);
    await drainJournal(worker);
    const db = worker.get(DataSource);
    // Each applied at its first attempt: none failed on its NUL.
    const events: { processed: boolean; attempts: number; n: number }[] = await db.query(
      `SELECT processed_at IS NOT NULL AS processed, attempts, count(*)::int AS n
         FROM webhook_events WHERE request_id = ANY($1::text[]) GROUP BY 1, 2`,
      [acknowledged.map((i) => `${scope}-${i}`)],
    );
    expect(events).toEqual([{ processed: true, attempts: 1, n: acknowledged.length }]);
    // Payloads stored but not answered before the kill are applied too; what was answered, surely.
    const applied: { wamid: string; status: string }[] = await db.query(
      `SELECT wamid, status FROM message_statuses WHERE wamid = ANY($1::text[]) ORDER BY wamid`,
      [acknowledged.map((i) => `wamid.${scope}.${i}`)],
    );
    expect(applied).toEqual(
      acknowledged
        .map((i) => ({ wamid: `wamid.${scope}.${i}`, status: i % 3 === 0 ? 'read' : 'delivered' }))
        .sort((a, b) => (a.wamid < b.wamid ? -1 : 1)),
    );
    const withText = acknowledged.filter((i) => i % 4 === 0);
    expect(withText.length).toBeGreaterThan(10);
    const texts: { wamid: string; body: string }[] = await db.query(
      `SELECT wamid, raw->'text'->>'body' AS body FROM inbound_messages
        WHERE wamid = ANY($1::text[]) ORDER BY wamid`,
      [withText.map((i) => `wamid.${scope}.in${i}`)],
    );
    expect(texts).toEqual(
      withText
        .map((i) => ({ wamid: `wamid.${scope}.in${i}`, body: `hi\\u0000${i}\ufffd` }))
        .sort((a, b) => (a.wamid < b.wamid ? -1 : 1)),
    );
  });
});
