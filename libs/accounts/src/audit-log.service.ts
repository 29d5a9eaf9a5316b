import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, GroupCommit, type Clock, type Page, type WorkspaceId } from '@app/common';
import { AuditLogRepository } from './audit-log.repository';
import type { AuditEntry, AuditRecord } from './accounts.types';

/** Calls answered while a write is in flight share the next INSERT; memory stays bounded. */
const LIMITS = {
  maxConcurrentWrites: 2,
  maxBatchItems: 1000,
  maxBatchWeight: 1000,
  maxPendingItems: 50_000,
  maxPendingWeight: 50_000,
};

/**
 * The audit log of mutating API calls. `record` resolves once the entry is committed, written
 * with the entries of concurrent calls in one INSERT (group commit), so a busy API pays about
 * one INSERT per batch of calls rather than one per call.
 */
@Injectable()
export class AuditLogService implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditLogService.name);
  private readonly group: GroupCommit<AuditEntry>;

  constructor(
    private readonly repository: AuditLogRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.group = new GroupCommit((batch) => this.repository.insertMany(batch), LIMITS);
  }

  /** Never throws: a call that was answered stays answered; a lost entry is logged instead. */
  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const full = { ...entry, at: this.clock.now() };
    try {
      if (!this.group.hasRoomFor(full)) {
        throw new Error('too many audit entries waiting for the database');
      }
      await this.group.append(full);
    } catch (e) {
      this.logger.error({
        message: 'audit entry could not be written',
        requestId: entry.requestId,
        method: entry.method,
        route: entry.route,
        status: entry.status,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<AuditRecord>> {
    return this.repository.list(ws, limit, cursor);
  }

  onApplicationShutdown(): Promise<void> {
    return this.group.drained();
  }
}
