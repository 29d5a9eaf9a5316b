import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, InvalidInputError, isUuid, type Clock, type WorkspaceId } from '@app/common';
import { ContactsService, InvalidPhoneError, ContactNotFoundError } from '@app/audiences';
import { ConsentsRepository, type LedgerAppend } from './consents.repository';
import type { ConsentEntryInput, ConsentOutcome, ConsentRecord } from './consents.types';
import { applyConsent, type ConsentState } from './domain/consent-rule';

/** How far in the future an occurredAt may lie (clock skew between systems), in ms. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

@Injectable()
export class ConsentsService {
  constructor(
    private readonly ledger: ConsentsRepository,
    private readonly contacts: ContactsService,
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Appends every entry to the ledger and derives each contact's current consent with the pure
   * rule, in one transaction (contacts row-locked in id order). Phones that are not contacts yet
   * become contacts, so an opt-out is never lost. Returns the appended entries in input order.
   */
  async recordMany(
    ws: WorkspaceId,
    entries: ConsentEntryInput[],
    /** Run inside the caller's transaction (webhook batches) instead of a new one. */
    inTransaction?: EntityManager,
  ): Promise<ConsentOutcome> {
    if (entries.length === 0) {
      return { entries: [], current: new Map() };
    }
    const now = this.clock.now();
    const country = entries.some((e) => e.phone && !e.phone.startsWith('+'))
      ? await this.contacts.defaultCountry(ws)
      : null;
    const phones = entries.map((e) =>
      e.contactId === undefined && e.phone !== undefined
        ? this.contacts.normalizePhone(e.phone, country)
        : null,
    );
    for (const [i, e] of entries.entries()) {
      if ((e.contactId === undefined) === (e.phone === undefined)) {
        throw new InvalidInputError('give exactly one of contactId or phone', { index: i });
      }
      if (e.contactId !== undefined && !isUuid(e.contactId)) {
        throw new ContactNotFoundError(e.contactId);
      }
      if (e.occurredAt && e.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
        throw new InvalidInputError('occurredAt is in the future', { index: i });
      }
    }
    const work = async (em: EntityManager): Promise<ConsentOutcome> => {
      const byPhone = await this.contacts.ensureByPhones(
        ws,
        phones.filter((p): p is string => p !== null),
        em,
      );
      const ids = entries.map((e, i) => e.contactId ?? byPhone.get(phones[i] as string) ?? '');
      const states = await this.ledger.lockStates(em, ws, [...new Set(ids)]);
      const appends: LedgerAppend[] = [];
      const changed = new Map<string, ConsentState>();
      for (const [i, e] of entries.entries()) {
        const contactId = ids[i] as string;
        const current = states.get(contactId);
        if (!current) {
          throw new ContactNotFoundError(contactId);
        }
        const occurredAt = e.occurredAt ?? now;
        const next = applyConsent(current, {
          status: e.status,
          occurredAt,
          via: e.recordedBy.kind,
        });
        if (next) {
          states.set(contactId, next);
          changed.set(contactId, next);
        }
        appends.push({
          contactId,
          status: e.status,
          source: e.source,
          proof: e.proof ?? null,
          businessName: e.businessName ?? null,
          intent: e.intent ?? null,
          occurredAt,
          recordedByKind: e.recordedBy.kind,
          recordedById: e.recordedBy.id ?? null,
          effective: next !== null,
        });
      }
      const appended = await this.ledger.append(em, ws, appends);
      await this.ledger.saveStates(em, changed);
      return {
        entries: appended,
        current: new Map([...states.entries()].map(([id, s]) => [id, s.status])),
      };
    };
    return inTransaction ? work(inTransaction) : this.db.transaction(work);
  }

  /** For webhooks (STOP) and senders: records an opt-out of this E.164 number. */
  async optOutByPhone(
    ws: WorkspaceId,
    phoneE164: string,
    opts: {
      source: string;
      proof?: string | null;
      occurredAt?: Date;
      recordedById?: string | null;
    },
  ): Promise<ConsentRecord> {
    if (!phoneE164.startsWith('+')) {
      throw new InvalidPhoneError(phoneE164, 'optOutByPhone needs an E.164 number');
    }
    const out = await this.recordMany(ws, [
      {
        phone: phoneE164,
        status: 'opted_out',
        source: opts.source,
        proof: opts.proof ?? null,
        occurredAt: opts.occurredAt,
        recordedBy: { kind: 'webhook', id: opts.recordedById ?? null },
      },
    ]);
    return out.entries[0] as ConsentRecord;
  }

  async list(
    ws: WorkspaceId,
    contactId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ data: ConsentRecord[]; nextCursor: string | null }> {
    await this.contacts.get(ws, contactId);
    return this.ledger.list(ws, contactId, limit, cursor);
  }
}
