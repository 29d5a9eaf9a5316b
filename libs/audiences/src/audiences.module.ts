import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { IdempotencyModule } from '@app/idempotency';
import { AUDIENCE_IMPORT_QUEUE } from './audiences.queue';
import { AudiencesRepository } from './audiences.repository';
import { AudiencesService } from './audiences.service';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { ImportRunner } from './import-runner';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

/**
 * Contacts, audiences and CSV imports. ImportRunner needs IMPORT_CONSENT_PORT, which the
 * (global) ConsentsModule provides: load both wherever imports run.
 */
@Module({
  imports: [BullModule.registerQueue({ name: AUDIENCE_IMPORT_QUEUE }), IdempotencyModule],
  providers: [
    ContactsRepository,
    ContactsService,
    AudiencesRepository,
    AudiencesService,
    ImportsRepository,
    ImportsService,
    ImportRunner,
  ],
  exports: [ContactsService, AudiencesService, ImportsService, ImportRunner],
})
export class AudiencesModule {}
