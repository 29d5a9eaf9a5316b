import type { ConsentStatus, CurrentConsent, RecorderKind } from './domain/consent-rule';

export interface ConsentEntryInput {
  /**
   * One of contactId, phone (E.164, or national with the workspace's default country) or userId
   * (Meta's BSUID of a contact that has one).
   */
  contactId?: string;
  phone?: string;
  userId?: string;
  status: ConsentStatus;
  /** Where the consent was given or withdrawn, e.g. "checkout-form", "whatsapp-stop". */
  source: string;
  /** A URL, form id or message id that proves it. */
  proof?: string | null;
  /** The business name and intent the contact agreed to (opt-in wording). */
  businessName?: string | null;
  intent?: string | null;
  /** When the contact acted; defaults to now. */
  occurredAt?: Date;
  recordedBy: { kind: RecorderKind; id?: string | null };
}

export interface ConsentRecord {
  id: string;
  contactId: string;
  status: ConsentStatus;
  source: string;
  proof: string | null;
  businessName: string | null;
  intent: string | null;
  occurredAt: Date;
  recordedAt: Date;
  recordedByKind: RecorderKind;
  recordedById: string | null;
  /** Whether this entry changed the contact's current consent (see domain/consent-rule.ts). */
  effective: boolean;
}

export interface ConsentOutcome {
  entries: ConsentRecord[];
  /** Current consent of each touched contact after the batch. */
  current: Map<string, CurrentConsent>;
}

/** A consent change Meta reported by webhook, for whoever sends from `phoneNumberId`. */
export interface WebhookConsentChange {
  /** Meta's phone-number id the user wrote to (or was sent from). */
  phoneNumberId: string | null;
  /** E.164; null when Meta named the user by BSUID only. */
  phone: string | null;
  /** BSUID, when Meta sent one. */
  userId: string | null;
  status: ConsentStatus;
  source: string;
  /** The webhook item as Meta sent it (JSON), kept in the ledger as proof. */
  proof: string;
  at: Date | null;
  /** The id of what reported it (the inbound wamid, the preference's key). */
  by: string | null;
}
