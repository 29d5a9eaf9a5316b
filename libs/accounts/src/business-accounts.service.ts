import { Inject, Injectable } from '@nestjs/common';
import { isUuid, SecretBox, type Page, type WorkspaceId } from '@app/common';
import { GraphApiError, GraphClient } from '@app/graph-client';
import { mpsForThroughputLevel } from '@app/graph-contract';
import { BusinessAccountsRepository } from './business-accounts.repository';
import {
  BusinessAccountNotFoundError,
  GraphAuthFailedError,
  GraphRequestFailedError,
  GraphRequestRefusedError,
  PhoneNumberNotFoundError,
} from './accounts.errors';
import { SECRET_BOX } from './accounts.tokens';
import { WabaCallBudget } from './waba-call-budget';
import type {
  BusinessAccountRecord,
  PhoneNumberOverrides,
  PhoneNumberRecord,
} from './accounts.types';

export interface BusinessAccountCreate {
  wabaId: string;
  accessToken: string;
  name?: string;
}

@Injectable()
export class BusinessAccountsService {
  constructor(
    private readonly accounts: BusinessAccountsRepository,
    private readonly graph: GraphClient,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly budget: WabaCallBudget,
  ) {}

  /** Reads the account's numbers from the Graph API with the given token, then stores both. */
  async register(ws: WorkspaceId, input: BusinessAccountCreate): Promise<BusinessAccountRecord> {
    let numbers;
    await this.budget.take(input.wabaId, false);
    try {
      numbers = await this.graph.listPhoneNumbers(input.wabaId, input.accessToken);
    } catch (e) {
      if (e instanceof GraphApiError) {
        const details = { graphCode: e.code, graphMessage: e.message };
        if (e.category === 'rate-limit') {
          await this.budget.blockFor(input.wabaId, e.retryAfterMs ?? 60_000);
        }
        if (e.category === 'auth') {
          throw new GraphAuthFailedError(
            `the Graph API refused the access token: ${e.message}`,
            details,
          );
        }
        if (e.httpStatus >= 400 && e.httpStatus < 500 && e.code !== -1) {
          throw new GraphRequestRefusedError(
            `the Graph API refused to list the phone numbers of ${input.wabaId}: ${e.message}`,
            details,
          );
        }
        throw new GraphRequestFailedError(
          `the Graph API could not list phone numbers: ${e.message}`,
          details,
        );
      }
      throw e;
    }
    return this.accounts.upsert(
      ws,
      {
        wabaId: input.wabaId,
        name: input.name ?? null,
        accessTokenSealed: this.box.seal(input.accessToken),
      },
      numbers.map((n) => ({
        phoneNumberId: n.id,
        displayPhoneNumber: n.display_phone_number,
        verifiedName: n.verified_name ?? null,
        qualityRating: n.quality_rating ?? null,
        throughputLevel: n.throughput?.level ?? null,
        graphThroughputMps: mpsForThroughputLevel(n.throughput?.level),
        messagingLimitTier:
          n.whatsapp_business_manager_messaging_limit ?? n.messaging_limit_tier ?? null,
      })),
    );
  }

  list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<BusinessAccountRecord>> {
    return this.accounts.list(ws, limit, cursor);
  }

  async get(ws: WorkspaceId, id: string): Promise<BusinessAccountRecord> {
    const found = isUuid(id) ? await this.accounts.find(ws, id) : null;
    if (!found) {
      throw new BusinessAccountNotFoundError(id);
    }
    const { accessTokenSealed: _sealed, ...account } = found;
    return account;
  }

  /** The decrypted Meta token, for libraries that call the Graph API on the account's behalf. */
  async accessToken(ws: WorkspaceId, id: string): Promise<string> {
    const found = isUuid(id) ? await this.accounts.find(ws, id) : null;
    if (!found) {
      throw new BusinessAccountNotFoundError(id);
    }
    return this.box.open(found.accessTokenSealed);
  }

  /** Which of Meta's WhatsApp Business Accounts this workspace holds (webhooks name them). */
  wabaIds(ws: WorkspaceId): Promise<string[]> {
    return this.accounts.wabaIds(ws);
  }

  listPhoneNumbers(
    ws: WorkspaceId,
    limit: number,
    cursor?: string,
  ): Promise<Page<PhoneNumberRecord>> {
    return this.accounts.listPhones(ws, limit, cursor);
  }

  async getPhoneNumber(ws: WorkspaceId, id: string): Promise<PhoneNumberRecord> {
    const found = isUuid(id) ? await this.accounts.findPhone(ws, id) : null;
    if (!found) {
      throw new PhoneNumberNotFoundError(id);
    }
    return found;
  }

  async updatePhoneNumber(
    ws: WorkspaceId,
    id: string,
    overrides: PhoneNumberOverrides,
  ): Promise<PhoneNumberRecord> {
    const updated = isUuid(id) ? await this.accounts.updatePhone(ws, id, overrides) : null;
    if (!updated) {
      throw new PhoneNumberNotFoundError(id);
    }
    return updated;
  }
}
