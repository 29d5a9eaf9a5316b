import { Module } from '@nestjs/common';
import { AudiencesModule } from '@app/audiences';
import { ConsentsModule } from '@app/consents';
import { CsvImportProcessor } from './csv-import.processor';
import { ImportRecoveryScheduler } from './import-recovery.scheduler';

@Module({
  imports: [AudiencesModule, ConsentsModule],
  providers: [CsvImportProcessor, ImportRecoveryScheduler],
})
export class AudiencesWorkerModule {}
