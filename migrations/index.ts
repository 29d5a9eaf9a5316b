// Every migration, in order. Listed explicitly so the apps, the CLI and the test harness load
// the same set without globbing (a spec checks that no file in this folder is left out).
import { CreateAccounts1764100000000 } from './1764100000000-CreateAccounts';
import { CreateContactsAudiences1764200000000 } from './1764200000000-CreateContactsAudiences';
import { CreateImports1764200001000 } from './1764200001000-CreateImports';
import { CreateConsentLedger1764200002000 } from './1764200002000-CreateConsentLedger';
import { CreateIdempotencyKeys1764200003000 } from './1764200003000-CreateIdempotencyKeys';
import { CreateTemplates1764250000000 } from './1764250000000-CreateTemplates';
import { CreateWebhookEvents1764300000000 } from './1764300000000-CreateWebhookEvents';
import { CreateCampaigns1764400000000 } from './1764400000000-CreateCampaigns';
import { CreateReportAggregates1764500000000 } from './1764500000000-CreateReportAggregates';
import { CreateConversions1764500001000 } from './1764500001000-CreateConversions';
import { ReplaceCampaignMessageForeignKeys1764600000000 } from './1764600000000-ReplaceCampaignMessageForeignKeys';
import { ImportPartCheckpoints1764700000000 } from './1764700000000-ImportPartCheckpoints';
import { CheaperContactsPhoneCheck1764700001000 } from './1764700001000-CheaperContactsPhoneCheck';
import { DeliveryCore1764800000000 } from './1764800000000-DeliveryCore';
import { AddApiKeyRoles1764900000000 } from './1764900000000-AddApiKeyRoles';
import { CreateAuditLog1764900001000 } from './1764900001000-CreateAuditLog';
import { AddWebhookDeadLetters1764900002000 } from './1764900002000-AddWebhookDeadLetters';
import { Targeting1764950000000 } from './1764950000000-Targeting';
import { TargetingIndexes1764950001000 } from './1764950001000-TargetingIndexes';
import { VariantsAndLinks1764970000000 } from './1764970000000-VariantsAndLinks';
import { IndexFailedCampaignMessages1765210000000 } from './1765210000000-IndexFailedCampaignMessages';
import { AddContactUserIds1765300000000 } from './1765300000000-AddContactUserIds';
import { CampaignMetaOptions1765300001000 } from './1765300001000-CampaignMetaOptions';
import { IndexCampaignMessageRequests1765600000000 } from './1765600000000-IndexCampaignMessageRequests';
import { TemplateTtlExpired1766000000000 } from './1766000000000-TemplateTtlExpired';
import { DatedRateCards1766000001000 } from './1766000001000-DatedRateCards';
import { CreateMetaLinkClicks1766100000000 } from './1766100000000-CreateMetaLinkClicks';
import { CounterDeltas1766200000000 } from './1766200000000-CounterDeltas';
import { IndexPendingCampaignMessages1766300000000 } from './1766300000000-IndexPendingCampaignMessages';
import { DropPendingSendingIndex1766300001000 } from './1766300001000-DropPendingSendingIndex';
import { UnsettledKeysetIndex1766400000000 } from './1766400000000-UnsettledKeysetIndex';
import { IndexMetaLinkClicksReceived1766400001000 } from './1766400001000-IndexMetaLinkClicksReceived';

export const MIGRATIONS = [
  CreateAccounts1764100000000,
  CreateContactsAudiences1764200000000,
  CreateImports1764200001000,
  CreateConsentLedger1764200002000,
  CreateIdempotencyKeys1764200003000,
  CreateTemplates1764250000000,
  CreateWebhookEvents1764300000000,
  CreateCampaigns1764400000000,
  CreateReportAggregates1764500000000,
  CreateConversions1764500001000,
  ReplaceCampaignMessageForeignKeys1764600000000,
  ImportPartCheckpoints1764700000000,
  CheaperContactsPhoneCheck1764700001000,
  DeliveryCore1764800000000,
  AddApiKeyRoles1764900000000,
  CreateAuditLog1764900001000,
  AddWebhookDeadLetters1764900002000,
  Targeting1764950000000,
  TargetingIndexes1764950001000,
  VariantsAndLinks1764970000000,
  IndexFailedCampaignMessages1765210000000,
  AddContactUserIds1765300000000,
  CampaignMetaOptions1765300001000,
  IndexCampaignMessageRequests1765600000000,
  TemplateTtlExpired1766000000000,
  DatedRateCards1766000001000,
  CreateMetaLinkClicks1766100000000,
  CounterDeltas1766200000000,
  IndexPendingCampaignMessages1766300000000,
  DropPendingSendingIndex1766300001000,
  UnsettledKeysetIndex1766400000000,
  IndexMetaLinkClicksReceived1766400001000,
];
