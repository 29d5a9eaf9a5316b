import { Module, type DynamicModule } from '@nestjs/common';
import { AudiencesModule } from '@app/audiences';
import { ConsentsModule } from '@app/consents';
import { CsvImportProcessor } from './csv-import.processor';
import { ImportRecoveryScheduler } from './import-recovery.scheduler';

/** CSV imports, only where the worker has the `imports` role. */
@Module({})
export class AudiencesWorkerModule {
  static register(runImports: boolean): DynamicModule {
    return {
      module: AudiencesWorkerModule,
      imports: [AudiencesModule, ConsentsModule],
      providers: runImports ? [CsvImportProcessor, ImportRecoveryScheduler] : [],
    };
  }
}
