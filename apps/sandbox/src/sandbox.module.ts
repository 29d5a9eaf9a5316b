import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, type AppConfig } from '@app/config';
import { AccountsController } from './accounts.controller';
import { ControlController } from './control.controller';
import { SandboxErrorFilter } from './sandbox-error.filter';
import { SandboxState } from './sandbox-state';

/** A stand-in for Meta's Graph API, in memory, for tests, demos and rehearsals. */
@Module({})
export class SandboxModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: SandboxModule,
      imports: [ConfigModule.forRoot(config)],
      controllers: [ControlController, AccountsController],
      providers: [
        { provide: SandboxState, useValue: new SandboxState(config.sandbox) },
        { provide: APP_FILTER, useClass: SandboxErrorFilter },
      ],
    };
  }
}
