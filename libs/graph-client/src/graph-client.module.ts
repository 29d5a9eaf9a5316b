import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GraphClient } from './graph-client';

@Global()
@Module({
  providers: [
    {
      provide: GraphClient,
      inject: [APP_CONFIG],
      // One connection per request in flight: a request waiting for a free connection would leave
      // late and arrive at Meta in a bunch with others.
      useFactory: (config: AppConfig) =>
        new GraphClient({ ...config.graph, connections: config.campaigns.maxInFlight }),
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
