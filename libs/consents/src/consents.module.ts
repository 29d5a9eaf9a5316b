import { Global, Module } from '@nestjs/common';
import { AudiencesModule, IMPORT_CONSENT_PORT } from '@app/audiences';
import { ConsentFence } from './consent-fence';
import { ConsentsRepository } from './consents.repository';
import { ConsentsService } from './consents.service';
import { ImportOptIns } from './import-opt-ins';

/**
 * Global so that AudiencesModule's import runner receives IMPORT_CONSENT_PORT without importing
 * this (higher) library — the dependency arrow stays consents → audiences.
 */
@Global()
@Module({
  imports: [AudiencesModule],
  providers: [
    ConsentsRepository,
    ConsentsService,
    ConsentFence,
    ImportOptIns,
    { provide: IMPORT_CONSENT_PORT, useExisting: ImportOptIns },
  ],
  exports: [ConsentsService, ConsentFence, IMPORT_CONSENT_PORT],
})
export class ConsentsModule {}
