import type { WorkspaceId } from '@app/common';
import type { Sql } from '@app/db';

/**
 * How an import records "these contacts opted in" (`?optInSource=`). Implemented by the consents
 * library, which sits above this one; bound to IMPORT_CONSENT_PORT by ConsentsModule (global), so
 * the import can call it without this library importing consents.
 */
export interface ImportConsentPort {
  /** Appends opt-ins for `contactIds` and derives current consent, within the caller's transaction. */
  recordImportOptIns(
    sql: Sql,
    ws: WorkspaceId,
    entry: { importId: string; contactIds: string[]; source: string; occurredAt: Date },
  ): Promise<number>;
}

export const IMPORT_CONSENT_PORT = Symbol('IMPORT_CONSENT_PORT');
