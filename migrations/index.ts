// Every migration, in order. Listed explicitly so the apps, the CLI and the test harness load
// the same set without globbing (a spec checks that no file in this folder is left out).
import { CreateAccounts1764100000000 } from './1764100000000-CreateAccounts';
import { CreateTemplates1764250000000 } from './1764250000000-CreateTemplates';
import { CreateWebhookEvents1764300000000 } from './1764300000000-CreateWebhookEvents';

export const MIGRATIONS = [
  CreateAccounts1764100000000,
  CreateTemplates1764250000000,
  CreateWebhookEvents1764300000000,
];
