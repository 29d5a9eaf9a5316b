import { Injectable } from '@nestjs/common';
import { BusinessAccountsService } from '@app/accounts';
import {
  decodeCursor,
  encodeCursor,
  isSerialId,
  toPageBy,
  type Page,
  type WorkspaceId,
} from '@app/common';
import {
  WebhookEventsRepository,
  type FailedState,
  type FailedWebhookEvent,
} from './webhook-events.repository';
import { WebhookEventNotDeadError, WebhookEventNotFoundError } from './webhooks.errors';

/**
 * Webhook events that keep failing, as a workspace's admin sees them: only events about one of
 * the workspace's WhatsApp Business Accounts (a payload belongs to the WABAs it names), listed
 * and retried by hand once they are dead letters.
 */
@Injectable()
export class WebhookDeadLetters {
  constructor(
    private readonly events: WebhookEventsRepository,
    private readonly accounts: BusinessAccountsService,
  ) {}

  async list(
    ws: WorkspaceId,
    state: FailedState,
    limit: number,
    cursor?: string,
  ): Promise<Page<FailedWebhookEvent>> {
    const wabaIds = await this.accounts.wabaIds(ws);
    const after = cursor ? decodeCursor(cursor, isSerialId).id : null;
    const rows = await this.events.listFailed(state, wabaIds, limit + 1, after);
    return toPageBy(rows, limit, (last) =>
      encodeCursor({ createdAt: last.receivedAt, id: last.id }),
    );
  }

  async retry(ws: WorkspaceId, id: string): Promise<FailedWebhookEvent> {
    if (!isSerialId(id)) {
      throw new WebhookEventNotFoundError(id);
    }
    const { retried, exists } = await this.events.retryDead(id, await this.accounts.wabaIds(ws));
    if (!retried) {
      throw exists ? new WebhookEventNotDeadError(id) : new WebhookEventNotFoundError(id);
    }
    return retried;
  }

  /** Dead letters of every workspace (the /metrics gauge). */
  countDead(): Promise<number> {
    return this.events.countDead();
  }
}
