import { Inject, Injectable, Logger } from '@nestjs/common';
import { fenceSettled } from '@app/governor';
import {
  asWorkspaceId,
  CLOCK,
  InvalidInputError,
  isUuid,
  type Clock,
  type WorkspaceId,
} from '@app/common';
import { ContactsService, ContactNotFoundError } from '@app/audiences';
import { Database, type Sql, type Tx } from '@app/db';
import { ConsentFence } from './consent-fence';
import { ConsentsRepository, type LedgerAppend } from './consents.repository';
import type {
  ConsentEntryInput,
  ConsentOutcome,
  ConsentRecord,
  WebhookConsentChange,
} from './consents.types';
import { applyConsent, type ConsentState } from './domain/consent-rule';

/** How far in the future an occurredAt may lie (clock skew between systems), in ms. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** Pairs (number, phone, BSUID) remembered as learnt; cleared when full (memory stays bounded). */
const LEARNT_CACHE = 100_000;

@Injectable()
export class ConsentsService {
  private readonly logger = new Logger(ConsentsService.name);
  private readonly learnt = new Set<string>();

  constructor(
    private readonly ledger: ConsentsRepository,
    private readonly contacts: ContactsService,
    private readonly db: Database,
    private readonly fence: ConsentFence,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Appends every entry to the ledger and derives each contact's current consent with the pure
   * rule, in one transaction (contacts row-locked in id order). Phones that are not contacts yet
   * become contacts, so an opt-out is never lost. Returns the appended entries in input order.
   * Before it returns, the opt-out fence holds every contact that is opted out now and no longer
   * holds those opted in again, so no send for them leaves any worker after the caller's answer.
   */
  async recordMany(
    ws: WorkspaceId,
    entries: ConsentEntryInput[],
    /** Run inside the caller's transaction (webhook batches) instead of a new one. */
    tx?: Tx,
  ): Promise<ConsentOutcome> {
    if (entries.length === 0) {
      return { entries: [], current: new Map() };
    }
    const now = this.clock.now();
    const country = entries.some((e) => e.phone && !e.phone.startsWith('+'))
      ? await this.contacts.defaultCountry(ws)
      : null;
    for (const [i, e] of entries.entries()) {
      const given = [e.contactId, e.phone, e.userId].filter((x) => x !== undefined).length;
      if (given !== 1) {
        throw new InvalidInputError('give exactly one of contactId, phone or userId', {
          index: i,
        });
      }
    }
    const phones = entries.map((e) =>
      e.phone !== undefined ? this.phoneOf(e, e.phone, country) : null,
    );
    for (const [i, e] of entries.entries()) {
      if (e.contactId !== undefined && !isUuid(e.contactId)) {
        throw new ContactNotFoundError(e.contactId);
      }
      if (e.occurredAt && e.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
        throw new InvalidInputError('occurredAt is in the future', { index: i });
      }
    }
    const work = async (t: Sql): Promise<ConsentOutcome & { phones: Map<string, string> }> => {
      const byPhone = await this.contacts.ensureByPhones(
        ws,
        phones.filter((p): p is string => p !== null),
        t,
      );
      const userIds = entries.flatMap((e) => (e.userId !== undefined ? [e.userId] : []));
      const byUserId = await this.contacts.byUserIds(ws, userIds, t);
      const ids = entries.map((e, i) => {
        if (e.userId !== undefined) {
          const c = byUserId.get(e.userId);
          if (!c) {
            throw new ContactNotFoundError(e.userId);
          }
          return c.id;
        }
        return e.contactId ?? byPhone.get(phones[i] as string) ?? '';
      });
      const locked = await this.ledger.lockStates(t, ws, [...new Set(ids)]);
      const states = new Map<string, ConsentState>(locked);
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
      const appended = await this.ledger.append(t, ws, appends);
      await this.ledger.saveStates(t, changed);
      return {
        entries: appended,
        current: new Map([...states.entries()].map(([id, s]) => [id, s.status])),
        phones: new Map([...locked.entries()].map(([id, s]) => [id, s.phone])),
      };
    };
    const { phones: phoneOf, ...outcome } = tx ? await work(tx) : await this.db.tx(work);
    const phonesNow = (status: string) =>
      [...outcome.current.entries()]
        .filter(([, s]) => s === status)
        .map(([id]) => phoneOf.get(id) as string);
    const fence = async () => {
      await this.fence.optedOut(ws, phonesNow('opted_out'));
      await this.fence.optedIn(ws, phonesNow('opted_in'));
    };
    // Opted out: fenced before the caller answers. Inside a caller's transaction the fence
    // follows its commit, so a rolled-back opt-in never lifts a fence.
    if (tx) {
      await this.fence.optedOut(ws, phonesNow('opted_out'));
      tx.onCommit(fence);
    } else {
      await fence();
      if (phonesNow('opted_out').length > 0) {
        await fenceSettled();
      }
    }
    return outcome;
  }

  /**
   * E.164 of an entry's phone. A number Meta itself reported (a webhook's wa_id) is a WhatsApp
   * user whatever our phone metadata thinks of it: kept as Meta wrote it rather than refused, so
   * its opt-out is never lost (and never holds up the rest of the webhook batch).
   */
  private phoneOf(e: ConsentEntryInput, phone: string, country: string | null): string {
    try {
      return this.contacts.normalizePhone(phone, country);
    } catch (err) {
      if (e.recordedBy.kind === 'webhook' && /^\+[1-9][0-9]{6,14}$/.test(phone)) {
        return phone;
      }
      throw err;
    }
  }

  /**
   * Consent changes Meta reported by webhook (STOP keyword, opt-out button, user preferences,
   * 131050), for every workspace that sends from the Meta number they came to, in the caller's
   * transaction.
   */
  async recordFromWebhooks(tx: Tx, changes: readonly WebhookConsentChange[]): Promise<void> {
    if (changes.length === 0) {
      return;
    }
    const owners = await this.ledger.workspacesOfNumbers(
      changes.map((c) => c.phoneNumberId),
      tx,
    );
    const byWs = new Map<string, WebhookConsentChange[]>();
    for (const c of changes) {
      for (const ws of owners.get(c.phoneNumberId ?? '') ?? []) {
        byWs.set(ws, [...(byWs.get(ws) ?? []), c]);
      }
    }
    // Meta's clock may run ahead of ours: a future time is taken as now, never refused (a refused
    // entry would hold the whole webhook batch back).
    const now = this.clock.now();
    for (const [ws, all] of byWs) {
      // A BSUID-only change (a username user, MMLITE-2026 row 19) reaches the contact that holds
      // the BSUID; one of a BSUID no contact holds has nobody to apply to (no phone to create one).
      const known = await this.contacts.byUserIds(
        asWorkspaceId(ws),
        all.flatMap((c) => (c.phone === null && c.userId ? [c.userId] : [])),
        tx,
      );
      const list = all.filter((c) => c.phone !== null || known.has(c.userId ?? ''));
      if (list.length < all.length) {
        this.logger.warn({
          message: 'consent changes for unknown business-scoped user ids dropped',
          workspaceId: ws,
          dropped: all.length - list.length,
        });
      }
      if (list.length === 0) {
        continue;
      }
      await this.recordMany(
        asWorkspaceId(ws),
        list.map((c) => ({
          ...(c.phone !== null ? { phone: c.phone } : { userId: c.userId as string }),
          status: c.status,
          source: c.source,
          proof: c.proof.slice(0, 2000),
          occurredAt: c.at && c.at.getTime() <= now.getTime() ? c.at : now,
          recordedBy: { kind: 'webhook' as const, id: c.by },
        })),
        tx,
      );
    }
  }

  /**
   * At webhook ingest, before Meta gets its 200: the opt-outs in the payload go into the fence of
   * every workspace that sends from the number (the ledger follows when the worker applies it).
   */
  async fenceWebhookOptOuts(
    items: ReadonlyArray<{
      phoneNumberId: string | null;
      phone: string | null;
      userId: string | null;
    }>,
  ): Promise<void> {
    if (items.length === 0) {
      return;
    }
    const owners = await this.ledger.workspacesOfNumbers(items.map((i) => i.phoneNumberId));
    for (const i of items) {
      for (const ws of owners.get(i.phoneNumberId ?? '') ?? []) {
        // The fence holds phones: a BSUID-only opt-out is fenced by its contact's phone.
        const phone =
          i.phone ??
          (i.userId
            ? ((await this.contacts.byUserIds(asWorkspaceId(ws), [i.userId])).get(i.userId)
                ?.phone ?? null)
            : null);
        if (phone) {
          await this.fence.optedOut(ws, [phone]);
        }
      }
    }
    await fenceSettled();
  }

  /**
   * BSUIDs Meta reported beside phones (statuses, inbound messages, preferences), stored on the
   * contacts of every workspace that sends from the number, where a contact has none yet. One
   * statement for the lot; a pair already learnt is not looked at again by this process.
   */
  async learnUserIds(
    pairs: ReadonlyArray<{ phoneNumberId: string | null; phone: string; userId: string }>,
  ): Promise<number> {
    const fresh = pairs.filter(
      (p) => !this.learnt.has(`${p.phoneNumberId}|${p.phone}|${p.userId}`),
    );
    if (fresh.length === 0) {
      return 0;
    }
    const owners = await this.ledger.workspacesOfNumbers(fresh.map((p) => p.phoneNumberId));
    const rows = fresh.flatMap((p) =>
      (owners.get(p.phoneNumberId ?? '') ?? []).map((workspaceId) => ({
        workspaceId,
        phone: p.phone,
        userId: p.userId,
      })),
    );
    const n = await this.contacts.learnUserIds(rows);
    for (const p of fresh) {
      if (this.learnt.size >= LEARNT_CACHE) {
        this.learnt.clear();
      }
      this.learnt.add(`${p.phoneNumberId}|${p.phone}|${p.userId}`);
    }
    return n;
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
