// A real HTTP webhook receiver for sandbox tests: checks every X-Hub-Signature-256 against the raw
// body with the app secret (constant-time), records the payloads, and answers what the test wants.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  hubSignature,
  type MessagesChangeValue,
  type WebhookEnvelope,
  type WebhookStatus,
} from '@app/graph-contract';

export interface ReceivedWebhook {
  envelope: WebhookEnvelope;
  raw: Buffer;
  signatureOk: boolean;
  answered: number;
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  badSignatures = 0;
  /** Status code for the next POST (default 200). */
  respond: (n: number) => number = () => 200;
  private server!: Server;
  url = '';

  constructor(private readonly appSecret: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = String(req.headers['x-hub-signature-256'] ?? '');
        const expected = Buffer.from(hubSignature(raw, this.appSecret));
        const given = Buffer.from(header);
        const signatureOk = given.length === expected.length && timingSafeEqual(given, expected);
        if (!signatureOk) {
          this.badSignatures++;
        }
        const answered = signatureOk ? this.respond(this.received.length) : 401;
        this.received.push({
          envelope: JSON.parse(raw.toString('utf8')) as WebhookEnvelope,
          raw,
          signatureOk,
          answered,
        });
        res.statusCode = answered;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') {
      throw new Error('receiver did not bind');
    }
    this.url = `http://127.0.0.1:${address.port}/webhooks/whatsapp`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  clear(): void {
    this.received.length = 0;
    this.respond = () => 200;
  }

  /** Changes of one field across everything received (answered 2xx or not). */
  changes<T = unknown>(field: string): T[] {
    return this.received.flatMap((r) =>
      r.envelope.entry.flatMap((e) =>
        e.changes.filter((c) => c.field === field).map((c) => c.value as T),
      ),
    );
  }

  statuses(): WebhookStatus[] {
    return this.changes<MessagesChangeValue>('messages').flatMap((v) => v.statuses ?? []);
  }

  statusesOf(wamid: string): WebhookStatus[] {
    return this.statuses().filter((s) => s.id === wamid);
  }

  inbound(): NonNullable<MessagesChangeValue['messages']> {
    return this.changes<MessagesChangeValue>('messages').flatMap((v) => v.messages ?? []);
  }
}

/** Polls until `check` holds (webhooks arrive asynchronously); fails with `what` after the timeout. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) {
      return v;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
