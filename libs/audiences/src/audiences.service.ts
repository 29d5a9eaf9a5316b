import { Injectable } from '@nestjs/common';
import { isUuid, type Page, type WorkspaceId } from '@app/common';
import { AudiencesRepository } from './audiences.repository';
import { ContactsRepository } from './contacts.repository';
import { AudienceNotFoundError } from './audiences.errors';
import type { AudienceRecord, ContactRecord, MembersChange } from './audiences.types';
import { normalizePhone } from './domain/phone';

export interface MembersInput {
  contactIds?: string[];
  phones?: string[];
}

@Injectable()
export class AudiencesService {
  constructor(
    private readonly audiences: AudiencesRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  create(ws: WorkspaceId, name: string, description?: string | null): Promise<AudienceRecord> {
    return this.audiences.create(ws, name, description ?? null);
  }

  async get(ws: WorkspaceId, id: string): Promise<AudienceRecord> {
    const a = await this.audiences.find(ws, id);
    if (!a) {
      throw new AudienceNotFoundError(id);
    }
    return a;
  }

  list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<AudienceRecord>> {
    return this.audiences.list(ws, limit, cursor);
  }

  /** Adds by id and/or phone; phones that are not contacts yet become contacts. */
  async addMembers(
    ws: WorkspaceId,
    audienceId: string,
    input: MembersInput,
  ): Promise<MembersChange> {
    await this.get(ws, audienceId);
    const { phones, invalidPhones } = await this.normalizeAll(ws, input.phones ?? []);
    const byPhone = await this.contacts.ensureByPhones(ws, phones);
    const ids = (input.contactIds ?? []).filter(isUuid);
    const { added, known } = await this.audiences.addMembers(ws, audienceId, [
      ...ids,
      ...byPhone.values(),
    ]);
    return {
      changed: added,
      unknownContactIds: (input.contactIds ?? []).filter((id) => !known.has(id)),
      invalidPhones,
      memberCount: await this.audiences.memberCount(audienceId),
    };
  }

  async removeMembers(
    ws: WorkspaceId,
    audienceId: string,
    input: MembersInput,
  ): Promise<MembersChange> {
    await this.get(ws, audienceId);
    const { phones, invalidPhones } = await this.normalizeAll(ws, input.phones ?? []);
    const ids = [
      ...(input.contactIds ?? []).filter(isUuid),
      ...(phones.length ? await this.contacts.idsByPhones(ws, phones) : []),
    ];
    const removed = await this.audiences.removeMembers(audienceId, ids);
    return {
      changed: removed,
      unknownContactIds: [],
      invalidPhones,
      memberCount: await this.audiences.memberCount(audienceId),
    };
  }

  async members(
    ws: WorkspaceId,
    audienceId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ContactRecord & { addedAt: Date }>> {
    await this.get(ws, audienceId);
    return this.audiences.members(ws, audienceId, limit, cursor);
  }

  /** Opted-in members page for senders; see OPTED_IN_AUDIENCE_MEMBERS_SQL for the SQL contract. */
  optedInMembers(
    ws: WorkspaceId,
    audienceId: string,
    limit: number,
    afterContactId: string | null = null,
  ): Promise<Array<{ id: string; phone: string }>> {
    return this.audiences.optedInMembers(ws, audienceId, limit, afterContactId);
  }

  private async normalizeAll(
    ws: WorkspaceId,
    raw: string[],
  ): Promise<{ phones: string[]; invalidPhones: Array<{ phone: string; reason: string }> }> {
    if (raw.length === 0) {
      return { phones: [], invalidPhones: [] };
    }
    const country = await this.contacts.defaultCountry(ws);
    const phones: string[] = [];
    const invalidPhones: Array<{ phone: string; reason: string }> = [];
    for (const p of raw) {
      const r = normalizePhone(p, country);
      if (r.ok) {
        phones.push(r.e164);
      } else {
        invalidPhones.push({ phone: p, reason: r.reason });
      }
    }
    return { phones, invalidPhones };
  }
}
