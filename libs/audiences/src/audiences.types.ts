import type { WorkspaceId } from '@app/common';
import type { Delimiter, ImportMapping } from './domain/csv-columns';

export type ConsentValue = 'opted_in' | 'opted_out' | 'none';

export interface ContactRecord {
  id: string;
  workspaceId: WorkspaceId;
  phone: string;
  /** Meta's business-scoped user id (BSUID), once known. */
  userId: string | null;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
  consent: ConsentValue;
  consentChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContactInput {
  phone: string;
  /** Meta's BSUID for this phone, when the caller knows it (kept if omitted). */
  userId?: string;
  /** Merged into the stored attributes; a key set to null is removed. */
  attributes?: Record<string, unknown>;
  locale?: string | null;
  timezone?: string | null;
}

export interface AudienceRecord {
  id: string;
  workspaceId: WorkspaceId;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MembersChange {
  /** Contacts that became (or stopped being) members with this call. */
  changed: number;
  /** Contact ids that are not contacts of this workspace. */
  unknownContactIds: string[];
  /** Phones that could not be normalised, with the reason. */
  invalidPhones: Array<{ phone: string; reason: string }>;
  memberCount: number;
}

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ImportOptions {
  mapping: ImportMapping | null;
  delimiter: Delimiter | null;
  defaultCountry: string | null;
  optInSource: string | null;
}

export interface ImportErrorRecord {
  row: number;
  column: string | null;
  reason: string;
}

export interface ImportRecord {
  id: string;
  workspaceId: WorkspaceId;
  audienceId: string;
  status: ImportStatus;
  byteSize: number;
  totalRows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errors: ImportErrorRecord[];
  failureReason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ImportAccepted {
  id: string;
  status: ImportStatus;
}
