import type { WorkspaceId } from '@app/common';
import type { ApiKeyRole } from './domain/roles';

export interface ApiKeyRecord {
  id: string;
  workspaceId: WorkspaceId;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiKey extends ApiKeyRecord {
  /** The only time the secret exists outside the caller's hands. */
  secret: string;
}

export interface PhoneNumberRecord {
  id: string;
  workspaceId: WorkspaceId;
  businessAccountId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string | null;
  qualityRating: string | null;
  throughputLevel: string | null;
  /** What Meta allows for the number's throughput level. */
  graphThroughputMps: number;
  /** What the governor uses: the operator's override, else Meta's level. */
  throughputMps: number;
  messagingLimitTier: string | null;
  /** Unique recipients per moving 24 h: the override, else the tier's figure, else null (unlimited). */
  messagingLimitPerDay: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface BusinessAccountRecord {
  id: string;
  workspaceId: WorkspaceId;
  wabaId: string;
  name: string | null;
  phoneNumbers: PhoneNumberRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PhoneNumberOverrides {
  throughputMps?: number | null;
  messagingLimitPerDay?: number | null;
}

/** One mutating API call as the audit log keeps it. */
export interface AuditEntry {
  workspaceId: WorkspaceId;
  apiKeyId: string;
  method: string;
  /** The route pattern, e.g. `/v1/campaigns/:id/launch`. */
  route: string;
  /** The `:id` of the route, or the id of what the call created. */
  targetId: string | null;
  /** The answer's HTTP status. */
  status: number;
  requestId: string | null;
  at: Date;
}

export interface AuditRecord extends Omit<AuditEntry, 'workspaceId' | 'at'> {
  id: string;
  createdAt: Date;
}
