import { Global, Module } from '@nestjs/common';
import { AudiencesModule, IMPORT_CONSENT_PORT } from '@app/audiences';
import { CLOCK, SystemClock } from '@app/common';
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
    ImportOptIns,
    { provide: IMPORT_CONSENT_PORT, useExisting: ImportOptIns },
    // The apps' CLOCK lives in their root module, which library modules cannot see.
    { provide: CLOCK, useClass: SystemClock },
  ],
  exports: [ConsentsService, IMPORT_CONSENT_PORT],
})
export class ConsentsModule {}
