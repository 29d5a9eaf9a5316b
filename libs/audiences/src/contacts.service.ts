import { Injectable } from '@nestjs/common';
import { isUuid, type Page, type WorkspaceId } from '@app/common';
import type { Sql } from '@app/db';
import { ContactsRepository } from './contacts.repository';
import { ContactNotFoundError, InvalidPhoneError } from './audiences.errors';
import type { ConsentValue, ContactInput, ContactRecord } from './audiences.types';
import { normalizePhone } from './domain/phone';
import { isTimeZone, normalizeLocale } from './domain/import-row';
import { ConflictError, InvalidInputError } from '@app/common';
import { isUniqueViolation } from '@app/db';

/** Meta's business-scoped user id: country code, a dot, an id (`US.13491208655302741918`). */
export function isUserId(v: string): boolean {
  return /^[A-Z]{2}\.[0-9A-Za-z]{1,120}$/.test(v);
}

@Injectable()
export class ContactsService {
  constructor(private readonly contacts: ContactsRepository) {}

  /** E.164 form of `raw` or an InvalidPhoneError (pure: see domain/phone.ts). */
  normalizePhone(raw: string, defaultCountry?: string | null): string {
    const r = normalizePhone(raw, defaultCountry);
    if (!r.ok) {
      throw new InvalidPhoneError(raw, r.reason);
    }
    return r.e164;
  }

  /** The workspace's default country, used for numbers written without +country code. */
  defaultCountry(ws: WorkspaceId): Promise<string | null> {
    return this.contacts.defaultCountry(ws);
  }

  async upsert(
    ws: WorkspaceId,
    input: ContactInput,
  ): Promise<{ contact: ContactRecord; created: boolean }> {
    const phone = this.normalizePhone(input.phone, await this.contacts.defaultCountry(ws));
    let locale = input.locale;
    if (typeof locale === 'string') {
      locale = normalizeLocale(locale);
      if (!locale) {
        throw new InvalidInputError('locale is not a language tag like pt-BR', {
          locale: input.locale,
        });
      }
    }
    if (typeof input.timezone === 'string' && !isTimeZone(input.timezone)) {
      throw new InvalidInputError('timezone is not an IANA time zone like America/Sao_Paulo', {
        timezone: input.timezone,
      });
    }
    if (input.userId !== undefined && !isUserId(input.userId)) {
      throw new InvalidInputError('userId is not a business-scoped user id like US.1234567890', {
        userId: input.userId,
      });
    }
    try {
      return await this.contacts.upsert(ws, { ...input, phone, locale });
    } catch (e) {
      if (isUniqueViolation(e, 'contacts_workspace_user_id_uq')) {
        throw new ConflictError('another contact already has this userId', {
          userId: input.userId,
        });
      }
      throw e;
    }
  }

  async get(ws: WorkspaceId, id: string): Promise<ContactRecord> {
    const c = isUuid(id) ? await this.contacts.findById(ws, id) : null;
    if (!c) {
      throw new ContactNotFoundError(id);
    }
    return c;
  }

  /** These contacts of the workspace, in the order given. */
  byIds(ws: WorkspaceId, ids: readonly string[]): Promise<ContactRecord[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.contacts.findByIds(ws, ids);
  }

  findByPhone(ws: WorkspaceId, phoneE164: string): Promise<ContactRecord | null> {
    return this.contacts.findByPhone(ws, phoneE164);
  }

  list(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
    consent?: ConsentValue,
  ): Promise<Page<ContactRecord>> {
    return this.contacts.list(ws, limit, cursor, consent);
  }

  /** Contacts (id, phone) known by these BSUIDs. */
  byUserIds(
    ws: WorkspaceId,
    userIds: readonly string[],
    tx?: Sql,
  ): Promise<Map<string, { id: string; phone: string }>> {
    return this.contacts.byUserIds(ws, userIds, tx);
  }

  /** Stores BSUIDs Meta reported beside phones, on contacts that have none yet. */
  learnUserIds(
    pairs: ReadonlyArray<{ workspaceId: string; phone: string; userId: string }>,
    tx?: Sql,
  ): Promise<number> {
    return this.contacts.learnUserIds(
      pairs.filter((p) => isUserId(p.userId)),
      tx,
    );
  }

  /** Contact ids for E.164 phones, creating the contacts that do not exist yet. */
  ensureByPhones(ws: WorkspaceId, phones: string[], tx?: Sql): Promise<Map<string, string>> {
    return this.contacts.ensureByPhones(ws, phones, tx);
  }
}
