import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';

export class OverviewRequest {
  @ApiPropertyOptional({ description: 'start (inclusive, ISO-8601); default: 30 days before `to`' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ description: 'end (exclusive, ISO-8601); default: now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}
