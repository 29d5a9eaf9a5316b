import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, type AppConfig } from '@app/config';
import { AccountsController } from './accounts.controller';
import { ControlController } from './control.controller';
import { GraphObjectsController } from './graph-objects.controller';
import { SandboxErrorFilter } from './sandbox-error.filter';
import { SandboxRuntime } from './sandbox-runtime';
import { TemplateRegistry } from './template-registry';
import { TemplatesController } from './templates.controller';

/** A stand-in for Meta's Graph API, in memory, for tests, demos and rehearsals. */
@Module({})
export class SandboxModule {
  static register(config: AppConfig, runtime: SandboxRuntime): DynamicModule {
    return {
      module: SandboxModule,
      imports: [ConfigModule.forRoot(config)],
      // Controllers with static path segments first; the catch-all `GET /{version}/{id}` last.
      controllers: [
        ControlController,
        AccountsController,
        TemplatesController,
        GraphObjectsController,
      ],
      providers: [
        { provide: SandboxRuntime, useValue: runtime },
        { provide: TemplateRegistry, useValue: new TemplateRegistry(runtime) },
        { provide: APP_FILTER, useClass: SandboxErrorFilter },
      ],
    };
  }
}
