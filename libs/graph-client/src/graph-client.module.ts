import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GraphClient } from './graph-client';

@Global()
@Module({
  providers: [
    {
      provide: GraphClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new GraphClient(config.graph),
    },
  ],
  exports: [GraphClient],
})
export class GraphClientModule implements OnApplicationShutdown {
  constructor(@Inject(GraphClient) private readonly client: GraphClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
