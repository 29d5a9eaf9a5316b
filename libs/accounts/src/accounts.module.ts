import { Module } from '@nestjs/common';
import { SecretBox } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { BusinessAccountsRepository } from './business-accounts.repository';
import { BusinessAccountsService } from './business-accounts.service';
import { SECRET_BOX } from './accounts.tokens';
import { WabaCallBudget } from './waba-call-budget';
import { ApiKeyRateLimit } from './api-key-rate-limit';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';

@Module({
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    BusinessAccountsRepository,
    BusinessAccountsService,
    WabaCallBudget,
    ApiKeyRateLimit,
    AuditLogRepository,
    AuditLogService,
    {
      provide: SECRET_BOX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretBox(config.encryptionKey),
    },
  ],
  exports: [
    ApiKeysService,
    BusinessAccountsService,
    WabaCallBudget,
    ApiKeyRateLimit,
    AuditLogService,
  ],
})
export class AccountsModule {}
