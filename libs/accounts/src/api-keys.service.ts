import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { isUuid, type Page, type WorkspaceId } from '@app/common';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyNotFoundError } from './accounts.errors';
import type { ApiKeyRecord, CreatedApiKey } from './accounts.types';
import type { ApiKeyRole } from './domain/roles';

const SECRET_PREFIX = 'mml_';

/** Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force. */
export function hashApiKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function displayPrefix(secret: string): string {
  return secret.slice(0, SECRET_PREFIX.length + 6);
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(private readonly keys: ApiKeysRepository) {}

  async create(ws: WorkspaceId, name: string, role: ApiKeyRole): Promise<CreatedApiKey> {
    const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.keys.insert(ws, {
      name,
      role,
      prefix: displayPrefix(secret),
      hash: hashApiKey(secret),
    });
    return { ...record, secret };
  }

  /** The key's record when `secret` is a live key, else null. */
  async authenticate(secret: string): Promise<ApiKeyRecord | null> {
    if (secret.length < 16 || secret.length > 200) {
      return null;
    }
    return this.keys.findLiveByHash(hashApiKey(secret));
  }

  list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<ApiKeyRecord>> {
    return this.keys.list(ws, limit, cursor);
  }

  async revoke(ws: WorkspaceId, id: string): Promise<ApiKeyRecord> {
    const revoked = isUuid(id) ? await this.keys.revoke(ws, id) : null;
    if (!revoked) {
      throw new ApiKeyNotFoundError(id);
    }
    return revoked;
  }

  /** Seeds `API_KEY` into the default workspace (idempotent: safe on every start of every process). */
  async seedFromEnvironment(secret: string): Promise<WorkspaceId> {
    const ws = await this.keys.seedDefault(displayPrefix(secret), hashApiKey(secret));
    this.logger.log(`API_KEY is seeded into the default workspace ${ws}`);
    return ws;
  }

  /** A new, empty workspace with one admin key (for operators and tests). */
  async createWorkspace(name: string): Promise<{ workspaceId: WorkspaceId; key: CreatedApiKey }> {
    const workspaceId = await this.keys.createWorkspace(name);
    return { workspaceId, key: await this.create(workspaceId, 'first key', 'admin') };
  }
}
