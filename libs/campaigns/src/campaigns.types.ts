import type { WorkspaceId } from '@app/common';
import type { TemplateBindings } from '@app/templates';
import type { CampaignStatus } from './domain/campaign-status';
import type { Counters } from './domain/counters';
import type { MessageStatus } from './delivery/domain/delivery-status';
import type { LatePolicy } from './domain/plan';
import type { SendWindow } from './domain/send-window';

export interface CampaignRecord {
  id: string;
  workspaceId: WorkspaceId;
  name: string;
  templateId: string;
  audienceId: string;
  phoneNumberId: string;
  parameters: TemplateBindings;
  status: CampaignStatus;
  statusReason: string | null;
  scheduledAt: Date | null;
  latePolicy: LatePolicy;
  throughputMps: number | null;
  sendWindow: SendWindow | null;
  targetedAt: Date | null;
  startedAt: Date | null;
  pausedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  failedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  counts: Counters;
}

export interface CampaignCreate {
  name: string;
  templateId: string;
  audienceId: string;
  phoneNumberId: string;
  parameters: TemplateBindings;
  scheduledAt?: Date | null;
  throughputMps?: number | null;
  sendWindow?: SendWindow | null;
  latePolicy?: LatePolicy;
}

export interface CampaignMessageRecord {
  id: string;
  contactId: string;
  phone: string;
  status: MessageStatus;
  skipReason: string | null;
  wamid: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  errorDetails: string | null;
  /** Requests actually sent for it. */
  attempts: number;
  lastRequestAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  clickedAt: Date | null;
  pricingCategory: string | null;
  billable: boolean | null;
}

export interface CampaignPlan {
  eligible: number;
  skipped: Record<string, number>;
  audienceSize: number;
  rateMps: number;
  messagingLimit: {
    perDay: number | null;
    remaining: number | null;
    fitsNow: boolean;
    heldByLimit: number;
  };
  etaSeconds: number;
  cost: {
    currency: string | null;
    total: number;
    byCountry: Array<{ callingCode: string; recipients: number; cost: number }>;
    unpriced: number;
  };
}

export interface TestSendResult {
  phone: string;
  ok: boolean;
  wamid?: string;
  error?: { code: number; message: string };
  skipReason?: string;
}
