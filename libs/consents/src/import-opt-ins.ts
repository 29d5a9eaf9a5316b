import { Injectable } from '@nestjs/common';
import type { WorkspaceId } from '@app/common';
import type { ImportConsentPort } from '@app/audiences';
import type { Sql } from '@app/db';
import { ConsentsRepository } from './consents.repository';

/** The consents side of `?optInSource=` on imports (bound to IMPORT_CONSENT_PORT). */
@Injectable()
export class ImportOptIns implements ImportConsentPort {
  constructor(private readonly ledger: ConsentsRepository) {}

  recordImportOptIns(
    sql: Sql,
    ws: WorkspaceId,
    entry: { importId: string; contactIds: string[]; source: string; occurredAt: Date },
  ): Promise<number> {
    return this.ledger.recordImportOptIns(sql, ws, entry);
  }
}
