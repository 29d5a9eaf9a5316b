import { Inject, Injectable } from '@nestjs/common';
import type { Sql } from '@app/db';
import { CLOCK, InvalidInputError, type Clock, type WorkspaceId } from '@app/common';
import { normalizePhone } from '@app/audiences';
import { IdempotencyStore, hashRequest } from '@app/idempotency';
import {
  chooseAttribution,
  DAY_MS,
  MAX_ATTRIBUTION_WINDOW_DAYS,
  type Touchpoint,
} from './domain/attribution';
import {
  MAX_EVENTS_PER_CALL,
  parseConversionEvent,
  type ConversionEvent,
} from './domain/conversion-event';
import { ConversionsRepository } from './conversions.repository';
import type {
  AttributionSettings,
  IngestResult,
  RejectedEvent,
  ResolvedEvent,
} from './conversions.types';

const IDEMPOTENCY_SCOPE = 'conversions';

/**
 * Takes batches of app events: validates each (a bad one is rejected with its index and reason,
 * the rest go in), drops event ids seen before, and attributes each event to the campaign message
 * that touched the contact last within the workspace's attribution window.
 */
@Injectable()
export class ConversionsService {
  constructor(
    private readonly repo: ConversionsRepository,
    private readonly idempotency: IdempotencyStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async ingest(ws: WorkspaceId, events: unknown[], idempotencyKey?: string): Promise<IngestResult> {
    if (events.length > MAX_EVENTS_PER_CALL) {
      throw new InvalidInputError(`at most ${MAX_EVENTS_PER_CALL} events per call`);
    }
    if (!idempotencyKey) {
      return this.repo.db.tx((tx) => this.ingestIn(tx, ws, events));
    }
    const answer = await this.idempotency.once<IngestResult>(
      ws,
      IDEMPOTENCY_SCOPE,
      idempotencyKey,
      hashRequest(JSON.stringify(events)),
      async (tx) => ({ status: 202, body: await this.ingestIn(tx, ws, events) }),
    );
    return answer.body;
  }

  async settings(ws: WorkspaceId): Promise<AttributionSettings> {
    return { attributionWindowDays: await this.repo.windowDays(ws) };
  }

  async updateSettings(ws: WorkspaceId, days: number): Promise<AttributionSettings> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_ATTRIBUTION_WINDOW_DAYS) {
      throw new InvalidInputError(
        `attributionWindowDays must be a whole number of days from 1 to ${MAX_ATTRIBUTION_WINDOW_DAYS}`,
      );
    }
    return { attributionWindowDays: await this.repo.setWindowDays(ws, days) };
  }

  private async ingestIn(tx: Sql, ws: WorkspaceId, raw: unknown[]): Promise<IngestResult> {
    const now = this.clock.now().getTime();
    const rejected: RejectedEvent[] = [];
    const valid: Array<{ index: number; event: ConversionEvent; phone: string | null }> = [];
    raw.forEach((r, index) => {
      const parsed = parseConversionEvent(r, now);
      if (!parsed.ok) {
        rejected.push({ index, reason: parsed.reason });
        return;
      }
      let phone: string | null = null;
      if (parsed.event.subject.kind === 'phone') {
        const p = normalizePhone(parsed.event.subject.phone);
        if (!p.ok) {
          rejected.push({ index, reason: `phone: ${p.reason}` });
          return;
        }
        phone = p.e164;
      }
      valid.push({ index, event: parsed.event, phone });
    });

    const subjects = (kind: 'contactId' | 'wamid'): string[] =>
      valid.flatMap((v) => {
        const s = v.event.subject;
        return s.kind === 'contactId' && kind === 'contactId'
          ? [s.contactId]
          : s.kind === 'wamid' && kind === 'wamid'
            ? [s.wamid]
            : [];
      });
    const byPhone = await this.repo.contactsByPhone(
      tx,
      ws,
      valid.flatMap((v) => (v.phone ? [v.phone] : [])),
    );
    const byId = await this.repo.contactsById(tx, ws, subjects('contactId'));
    const byWamid = await this.repo.contactsByWamid(tx, ws, subjects('wamid'));
    const windowDays = await this.repo.windowDays(ws, tx);

    const resolved: ResolvedEvent[] = [];
    for (const { index, event, phone } of valid) {
      const s = event.subject;
      let contactId: string | null = null;
      let contactPhone: string | null = phone;
      if (s.kind === 'phone') {
        // A phone we have no contact for is still a conversion of the workspace, just unattributed.
        contactId = byPhone.get(phone as string) ?? null;
      } else if (s.kind === 'contactId') {
        const c = byId.get(s.contactId);
        if (!c) {
          rejected.push({ index, reason: 'contactId: no such contact in this workspace' });
          continue;
        }
        contactId = s.contactId;
        contactPhone = c.phone;
      } else {
        const m = byWamid.get(s.wamid);
        if (!m) {
          rejected.push({ index, reason: 'wamid: no campaign message with this wamid' });
          continue;
        }
        contactId = m.contactId;
        contactPhone = m.phone;
      }
      resolved.push({
        index,
        eventId: event.eventId,
        eventName: event.eventName,
        contactId,
        phone: contactPhone,
        value: event.value,
        currency: event.currency,
        occurredAt: event.occurredAt,
        messageId: null,
        campaignId: null,
        touch: null,
        touchedAt: null,
      });
    }
    rejected.sort((a, b) => a.index - b.index);

    await this.attribute(tx, ws, resolved, windowDays);
    const kept = await this.repo.insert(tx, ws, resolved);
    return {
      accepted: kept.length,
      duplicates: resolved.length - kept.length,
      attributed: kept.filter((e) => e.campaignId !== null).length,
      rejected,
    };
  }

  private async attribute(
    tx: Sql,
    ws: WorkspaceId,
    events: ResolvedEvent[],
    windowDays: number,
  ): Promise<void> {
    const withContact = events.filter((e) => e.contactId !== null);
    if (withContact.length === 0) {
      return;
    }
    const times = withContact.map((e) => e.occurredAt.getTime());
    const touchpoints = await this.repo.touchpoints(
      tx,
      ws,
      [...new Set(withContact.map((e) => e.contactId as string))],
      new Date(Math.min(...times) - windowDays * DAY_MS),
      new Date(Math.max(...times)),
    );
    const byContact = new Map<string, Touchpoint[]>();
    for (const t of touchpoints) {
      (byContact.get(t.contactId) ?? byContact.set(t.contactId, []).get(t.contactId)!).push(t);
    }
    for (const e of withContact) {
      const a = chooseAttribution(
        e.occurredAt,
        windowDays,
        byContact.get(e.contactId as string) ?? [],
      );
      if (a) {
        e.messageId = a.messageId;
        e.campaignId = a.campaignId;
        e.touch = a.touch;
        e.touchedAt = a.touchedAt;
      }
    }
  }
}
