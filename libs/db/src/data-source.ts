// Entry point for the TypeORM CLI (`typeorm -d dist/libs/db/src/data-source.js ...`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseUrl } from '@app/config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadDatabaseUrl(process.env)));
