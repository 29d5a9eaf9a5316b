// Generated bad input (fast-check) at every /v1 route of the running API's own OpenAPI document,
// and at Meta's webhook receiver: every answer is a 4xx — never a 5xx — and the process lives on.
// A failure prints fast-check's seed and the shrunk request; rerun it with FC_SEED=<seed>.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { TEST_APP_SECRET } from '@app/testing';
import { signWebhookBody } from '@app/webhooks';
import { drainJournal, http, startWebhookApplier } from './support/apps';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  phones,
  startEngine,
  type Engine,
} from './support/engine';

const RUNS_PER_ROUTE = Number(process.env.FC_RUNS ?? 25);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  example?: unknown;
  additionalProperties?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  /** The JSON body's schema (null: none, or another content type). */
  body: Schema | null;
  /** A body of any content type is part of the route (CSV uploads too). */
  takesBody: boolean;
}

/** One generated request; `kind` says what is wrong with it. */
interface BadRequest {
  kind: 'auth' | 'path' | 'query' | 'body';
  path: string;
  query: string;
  headers: Record<string, string>;
  raw?: string;
  /** The exact status the contract promises, when it promises one. */
  expect?: number;
}

const SQLISH = [
  "' OR '1'='1",
  '1; DROP TABLE contacts; --',
  '" OR 1=1 --',
  "'); DELETE FROM campaigns; --",
  "%' UNION SELECT NULL, NULL--",
  '$1',
  '../../etc/passwd',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/x}',
];

const sqlish = fc.constantFrom(...SQLISH);
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const withNul = fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`);
const loneSurrogate = fc.string({ maxLength: 20 }).map((s) => `${s}\ud800`);
/** Deeper than the bound of 32, and still small enough to stringify in a test. */
const tooDeep = fc.integer({ min: 33, max: 300 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) {
    v = i % 2 ? [v] : { a: v };
  }
  return v;
});
/** Wrong in any field: text Postgres cannot hold, or nesting past the bound. */
const universallyBad = fc.oneof(withNul, loneSurrogate, tooDeep);
const anyObject = fc.dictionary(word, fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), {
  maxKeys: 3,
});

function resolve(doc: any, s: Schema | undefined): Schema {
  let cur: Schema = s ?? {};
  for (let i = 0; i < 5; i++) {
    if (cur.$ref) {
      cur = doc.components.schemas[cur.$ref.replace('#/components/schemas/', '')] as Schema;
    } else if (cur.allOf?.[0]) {
      cur = { ...cur, ...resolve(doc, cur.allOf[0]), allOf: undefined };
    } else {
      break;
    }
  }
  return cur;
}

/** Values that are not of `type` (null only where the field is not nullable). */
function notOfType(type: string | undefined, nullable: boolean): fc.Arbitrary<unknown> {
  const others: fc.Arbitrary<unknown>[] = [];
  if (type !== 'string') {
    others.push(
      sqlish,
      fc.string({ maxLength: 10 }).filter((s) => !/^-?[\d.e+]+$/i.test(s)),
    );
  }
  if (type !== 'number' && type !== 'integer') {
    others.push(fc.integer(), fc.double({ noNaN: true }));
  }
  if (type !== 'boolean') {
    others.push(fc.boolean());
  }
  if (type !== 'array') {
    others.push(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }));
  }
  if (type !== 'object') {
    others.push(anyObject);
  }
  if (!nullable) {
    others.push(fc.constant(null));
  }
  return fc.oneof(...others);
}

/** A value the field must refuse, by what its schema (and its name, for ids) says. */
function badValueFor(doc: any, name: string, raw: Schema): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  const nullable = s.nullable === true;
  const bad: fc.Arbitrary<unknown>[] = [universallyBad];
  if (s.enum) {
    bad.push(
      sqlish,
      word.filter((w) => !s.enum?.includes(w)),
      notOfType('string', nullable),
    );
  } else if (s.format === 'date-time') {
    bad.push(
      fc.boolean(),
      fc.integer(),
      sqlish,
      fc.constantFrom('2024-13-45T00:00:00Z', 'tomorrow', '12345', ''),
    );
    if (!nullable) {
      bad.push(fc.constant(null));
    }
  } else if (s.type === 'string' && /Ids?$/.test(name)) {
    bad.push(sqlish, fc.string({ maxLength: 40 }), notOfType('string', nullable));
  } else if (s.type === 'string') {
    bad.push(notOfType('string', nullable));
    if (s.maxLength !== undefined) {
      const max = s.maxLength;
      bad.push(fc.integer({ min: max + 1, max: max + 50 }).map((n) => 'x'.repeat(n)));
    }
  } else if (s.type === 'number' || s.type === 'integer') {
    bad.push(notOfType('number', nullable));
    if (s.minimum !== undefined) {
      bad.push(fc.constant(s.minimum - 1));
    }
    if (s.maximum !== undefined) {
      bad.push(fc.constant(s.maximum + 1));
    }
  } else if (s.type === 'boolean') {
    bad.push(notOfType('boolean', nullable));
  } else if (s.type === 'array') {
    bad.push(
      notOfType('array', nullable),
      fc.array(universallyBad, { minLength: 1, maxLength: 2 }),
    );
    if (s.maxItems !== undefined) {
      bad.push(fc.constant(Array.from({ length: s.maxItems + 1 }, () => 'x')));
    }
  } else if (s.type === 'object' && s.additionalProperties) {
    bad.push(
      fc.oneof(sqlish, fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 })),
    );
    if (!nullable) {
      bad.push(fc.constant(null));
    }
  } else if (s.properties) {
    // A nested object of ours: not an object at all.
    bad.push(
      fc.oneof(sqlish, fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 })),
    );
  }
  return fc.oneof(...bad);
}

describe('generated bad input at every /v1 route and the webhook receiver', () => {
  let e: Engine;
  let doc: any;
  let operations: Operation[];
  /** Real ids, so that a bad body or query reaches past the "not found" of a random id. */
  const real: Record<string, string> = {};

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    doc = (await http(e.api.url, 'GET', '/docs-json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, any>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters ?? []) as Parameter[],
          body: (op.requestBody?.content?.['application/json']?.schema as Schema) ?? null,
          takesBody: op.requestBody !== undefined,
        })),
      );
    const template = await approvedTemplate(e, `fuzz_${Date.now()}`);
    const [phone] = phones(1, 951);
    const audience = await audienceOf(e, optedIn([phone as string]));
    const contacts = await e.v1('GET', '/contacts?limit=1');
    Object.assign(real, {
      templates: template.id,
      audiences: audience,
      campaigns: await createCampaign(e, template.id, audience),
      contacts: contacts.body.data[0].id,
      'phone-numbers': e.phoneId,
      'business-accounts': e.accountId,
    });
  });

  afterAll(async () => {
    await e?.close();
  });

  /** A valid-looking body from the schema (examples, real ids), for one field to be spoiled. */
  function baseValue(name: string, raw: Schema, depth = 0): unknown {
    const s = resolve(doc, raw);
    const ids: Record<string, unknown> = {
      templateId: real.templates,
      audienceId: real.audiences,
      phoneNumberId: real['phone-numbers'],
      businessAccountId: real['business-accounts'],
      contactId: real.contacts,
      contactIds: [real.contacts],
    };
    if (name in ids) {
      return ids[name];
    }
    if (s.example !== undefined) {
      return s.example;
    }
    if (s.enum) {
      return s.enum[0];
    }
    if (s.format === 'date-time') {
      return new Date(Date.now() + 86_400_000).toISOString();
    }
    switch (s.type) {
      case 'string':
        return 'x';
      case 'number':
      case 'integer':
        return s.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return [];
      default:
        if (s.properties && depth < 3) {
          return Object.fromEntries(
            Object.entries(s.properties).map(([k, v]) => [k, baseValue(k, v, depth + 1)]),
          );
        }
        return {};
    }
  }

  function badBody(schema: Schema): fc.Arbitrary<{ raw: string }> {
    const s = resolve(doc, schema);
    const base = baseValue('', s) as Record<string, unknown>;
    const props = Object.entries(s.properties ?? {});
    const json = (v: unknown) => ({ raw: JSON.stringify(v) });
    const kinds: fc.Arbitrary<{ raw: string }>[] = [
      // Not an object at all (null too, unless the route takes it), or not JSON.
      fc
        .oneof(
          ...(s.nullable === true ? [] : [fc.constant(null)]),
          fc.integer(),
          sqlish,
          fc.boolean(),
          fc.array(fc.integer()),
        )
        .map(json),
      fc.constantFrom('{', '{"a":', "{'a': 1}", 'nope', '[1,]', '{"a" 1}').map((raw) => ({ raw })),
      fc
        .integer({ min: 33, max: 20_000 })
        .map((n) => ({ raw: '{"a":'.repeat(n) + '1' + '}'.repeat(n) })),
      // Well-formed but for one thing: an unknown field, a NUL in a key.
      fc
        .tuple(word, fc.jsonValue({ maxDepth: 2 }))
        .map(([k, v]) => json({ ...base, [`${k}_x`]: v })),
      fc.constant(json({ ...base, ['k\u0000']: 1 })),
    ];
    if (props.length > 0) {
      kinds.push(
        fc
          .constantFrom(...props)
          .chain(([k, v]) => badValueFor(doc, k, v).map((bad) => json({ ...base, [k]: bad }))),
      );
    }
    if (s.required?.length) {
      kinds.push(
        fc.constantFrom(...s.required).map((k) => {
          const { [k]: _gone, ...rest } = base;
          return json(rest);
        }),
      );
    }
    return fc.oneof(...kinds);
  }

  function badQuery(op: Operation): fc.Arbitrary<string> {
    const declared = op.parameters.filter((p) => p.in === 'query');
    const qs = (pairs: Array<[string, string]>) => `?${new URLSearchParams(pairs).toString()}`;
    const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    const forged = fc
      .tuple(fc.constantFrom('2030-01-01T00:00:00Z', '-100000-01-01T00:00:00Z'), sqlish)
      .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url'));
    return fc.oneof(
      fc.tuple(word, fc.string({ maxLength: 10 })).map(([k, v]) => qs([[`${k}_x`, v]])),
      fc.constantFrom(...declared).chain((p) => {
        const s = resolve(doc, p.schema);
        const values: fc.Arbitrary<string>[] = [withNul];
        // Random text is wrong for a cursor, an enum or a date, never by chance right (some
        // cursors are a row id: digits are a position, not junk).
        const junk = fc
          .string({ minLength: 1, maxLength: 10 })
          .filter((v) => !s.enum?.includes(v) && !/^\d/.test(v));
        if (p.name === 'limit') {
          values.push(fc.constantFrom('0', '1001', '-3', '1.5', 'abc', '', '99999999999999999999'));
        } else if (p.name === 'cursor') {
          values.push(forged, sqlish, junk);
        } else if (s.enum || s.format === 'date-time') {
          values.push(sqlish, junk, fc.constantFrom('true', '12345', '2024-13-45'));
        }
        const one = fc.oneof(...values).map((v) => qs([[p.name, asText(v)]]));
        // The same parameter twice is an array, which no parameter here takes.
        const twice = fc.constant(
          qs([
            [p.name, 'a'],
            [p.name, 'b'],
          ]),
        );
        return p.name === 'cursor' || p.name === 'limit' || s.enum || s.format
          ? fc.oneof(one, twice)
          : fc.oneof(
              withNul.map((v) => qs([[p.name, v]])),
              twice,
            );
      }),
    );
  }

  /** The operation's path with each `{param}` replaced: a real id of that resource, or `id`. */
  function pathWith(op: Operation, id: string | null): string {
    return op.path.replace(/\{[^}]+\}/g, () => {
      const resource = op.path.split('/')[2] ?? '';
      return encodeURIComponent(id ?? real[resource] ?? randomUUID());
    });
  }

  function badRequests(op: Operation): fc.Arbitrary<BadRequest> {
    const hasPath = op.parameters.some((p) => p.in === 'path');
    const hasQuery = op.parameters.some((p) => p.in === 'query');
    const auth = { authorization: `Bearer ${e.key}` };
    const json = { 'content-type': 'application/json' };
    const kinds: fc.Arbitrary<BadRequest>[] = [
      fc
        .oneof(
          sqlish.map((s) => `Bearer ${s}`),
          fc.stringMatching(/^[ -~]{0,60}$/),
          fc.constantFrom(
            'Bearer',
            'Basic dXNlcjpwYXNz',
            `Bearer ${'x'.repeat(5000)}`,
            'Bearer mml_',
          ),
        )
        .map((authorization) => ({
          kind: 'auth' as const,
          path: pathWith(op, null),
          query: '',
          headers: { authorization },
          expect: 401,
        })),
    ];
    if (hasPath) {
      kinds.push(
        fc
          .oneof(
            fc.uuid().map((id) => ({ id, unknown: true })),
            fc
              .oneof(sqlish, fc.string({ minLength: 1, maxLength: 60 }), fc.integer().map(String))
              .map((id) => ({ id, unknown: false })),
          )
          .map(({ id, unknown }) => ({
            kind: 'path' as const,
            path: pathWith(op, id),
            query: '',
            headers: { ...auth, ...(op.body ? json : {}) },
            ...(op.body ? { raw: JSON.stringify(baseValue('', op.body)) } : {}),
            // Unknown ids answer 404 (where no body is validated first).
            ...(unknown && !op.takesBody ? { expect: 404 } : {}),
          })),
      );
    }
    if (hasQuery) {
      kinds.push(
        badQuery(op).map((query) => ({
          kind: 'query' as const,
          path: pathWith(op, null),
          query,
          headers: { ...auth, ...(op.body ? json : {}) },
          ...(op.body ? { raw: JSON.stringify(baseValue('', op.body)) } : {}),
        })),
      );
    }
    if (op.body) {
      kinds.push(
        badBody(op.body).map(({ raw }) => ({
          kind: 'body' as const,
          path: pathWith(op, null),
          query: '',
          headers: { ...auth, ...json },
          raw,
        })),
      );
    }
    return fc.oneof(...kinds);
  }

  it('reads the whole API from its OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(47);
    expect(operations.filter((o) => o.body).length).toBeGreaterThanOrEqual(14);
  });

  it('answers every generated bad request at every /v1 route with a 4xx', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      await fc
        .assert(
          fc.asyncProperty(badRequests(op), async (r) => {
            const res = await http(e.api.url, op.method, r.path + r.query, {
              headers: r.headers,
              ...(r.raw !== undefined ? { raw: r.raw } : {}),
            });
            const ok = r.expect ? res.status === r.expect : res.status >= 400 && res.status < 500;
            if (!ok) {
              wrong.push(
                `${op.method} ${r.path}${r.query} (${r.kind}) → ${res.status} ${res.text.slice(0, 300)} body: ${(r.raw ?? '').slice(0, 200)}`,
              );
            }
            return ok;
          }),
          { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
        )
        .catch((err: unknown) => wrong.push(`fast-check: ${String(err).slice(0, 1500)}`));
    }
    expect(wrong).toEqual([]);
    expect((await http(e.api.url, 'GET', '/health')).status).toBe(200);
  });

  it('stores and applies whatever Meta signs, refuses what it does not, and lives on', async () => {
    const scope = `fuzz-${Date.now().toString(36)}`;
    let seq = 0;
    const signed: string[] = [];
    const wrong: string[] = [];
    const junkValue = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      withNul,
      loneSurrogate,
      tooDeep,
      fc.record({ statuses: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }),
      fc.record({
        messages: fc.array(fc.record({ from: fc.jsonValue(), id: fc.jsonValue() }), {
          maxLength: 2,
        }),
      }),
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 100, unit: 'binary' }).map((s) => Buffer.from(s)),
      fc
        .integer({ min: 33, max: 20_000 })
        .map((n) => Buffer.from('{"entry":'.repeat(n) + '1' + '}'.repeat(n))),
      fc
        .record({
          field: fc.constantFrom(
            'messages',
            'message_template_status_update',
            'user_preferences',
            'template_category_update',
            'nonsense',
          ),
          id: fc.oneof(fc.constant('100000000000001'), fc.jsonValue()),
          value: junkValue,
        })
        .map(({ field, id, value }) =>
          Buffer.from(
            JSON.stringify({
              object: 'whatsapp_business_account',
              entry: [{ id, changes: [{ field, value }] }],
            }),
          ),
        ),
    );
    await fc
      .assert(
        fc.asyncProperty(
          bodies,
          fc.constantFrom('signed', 'unsigned', 'wrong'),
          async (raw, sig) => {
            const requestId = `${scope}-${seq++}`;
            const headers: Record<string, string> = {
              'content-type': 'application/json',
              'x-request-id': requestId,
            };
            if (sig !== 'unsigned') {
              headers['x-hub-signature-256'] = signWebhookBody(
                raw,
                sig === 'signed' ? TEST_APP_SECRET : 'another-secret',
              );
            }
            const res = await http(e.api.url, 'POST', '/webhooks/whatsapp', { raw, headers });
            const expected = sig === 'signed' ? 200 : 401;
            if (res.status !== expected) {
              wrong.push(
                `${sig} ${raw.toString('utf8').slice(0, 200)} → ${res.status} ${res.text}`,
              );
            } else if (sig === 'signed') {
              signed.push(requestId);
            }
            return res.status === expected;
          },
        ),
        { numRuns: 150, seed: SEED, endOnFailure: true },
      )
      .catch((err: unknown) => wrong.push(`fast-check: ${String(err).slice(0, 1500)}`));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge', 'x'),
          fc.oneof(sqlish, withNul, fc.string()),
        ),
        async (q) => {
          const query = new URLSearchParams(q).toString();
          const res = await http(e.api.url, 'GET', `/webhooks/whatsapp?${query}`);
          const refused = res.status === 400 || res.status === 403;
          if (!refused) {
            wrong.push(`GET /webhooks/whatsapp?${query} → ${res.status}`);
          }
          return refused;
        },
      ),
      { numRuns: 50, seed: SEED },
    );
    expect(wrong).toEqual([]);
    expect(signed.length).toBeGreaterThan(20);

    // A worker applies all of it: flagged where it makes no sense, never parked for a retry.
    const worker = await startWebhookApplier(e.config);
    try {
      await drainJournal(worker);
      const rows: { processed: boolean; attempts: number; n: number }[] = await worker
        .get(DataSource)
        .query(
          `SELECT processed_at IS NOT NULL AS processed, attempts, count(*)::int AS n
             FROM webhook_events WHERE request_id = ANY($1::text[]) GROUP BY 1, 2`,
          [signed],
        );
      expect(rows).toEqual([{ processed: true, attempts: 1, n: signed.length }]);
    } finally {
      await worker.close();
    }
    expect((await http(e.api.url, 'GET', '/health')).status).toBe(200);
  });
});
