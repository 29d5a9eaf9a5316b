import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source-options';
import { Database } from './database';

/** The apps' connection (same options as the CLI) and the one SQL handle every repository uses. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl, 20),
    }),
  ],
  providers: [Database],
  exports: [Database],
})
export class DbModule {}
