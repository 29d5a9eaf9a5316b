import { Module } from '@nestjs/common';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

@Module({ providers: [ReportsRepository, ReportsService], exports: [ReportsService] })
export class ReportsModule {}
