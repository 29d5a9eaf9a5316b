import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/config';

const CHANNEL = 'webhook_events';
const RECONNECT_MS = 2000;

/**
 * LISTENs for the notification the journal's insert trigger sends, so idle workers start
 * applying within milliseconds instead of at the next poll. Best effort: when the connection is
 * down the workers still poll.
 */
@Injectable()
export class WebhookEventsListener implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEventsListener.name);
  private client: Client | null = null;
  private closed = false;
  private reconnect: NodeJS.Timeout | null = null;
  private waiters = new Set<() => void>();
  /** Bumped on every notification; a loop that saw it change since its claim does not sleep. */
  generation = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  start(): void {
    if (this.client || this.closed) {
      return;
    }
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'mmlite-webhook-listener',
    });
    this.client = client;
    client.on('notification', () => this.wakeAll());
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, null));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANNEL}`))
      .catch((e: unknown) => this.lost(client, e));
  }

  private lost(client: Client, e: unknown): void {
    if (this.client !== client) {
      return;
    }
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.closed) {
      return;
    }
    this.logger.warn({
      message: 'webhook notification connection lost; polling until it is back',
      error: e instanceof Error ? e.message : e === null ? 'connection ended' : 'connection error',
    });
    this.reconnect = setTimeout(() => this.start(), RECONNECT_MS);
    this.wakeAll();
  }

  wakeAll(): void {
    this.generation += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    waiters.forEach((w) => w());
  }

  /** Resolves on the next notification, on `wakeAll()`, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnect) {
      clearTimeout(this.reconnect);
    }
    this.wakeAll();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
