import { ApiPropertyOptional } from '@nestjs/swagger';

import { IsoDate } from '../http/iso-date';
import { AbsentOr } from '../http/absent-or';

export class OverviewRequest {
  @ApiPropertyOptional({ description: 'start (inclusive, ISO-8601); default: 30 days before `to`' })
  @AbsentOr()
  @IsoDate()
  from?: Date;

  @ApiPropertyOptional({ description: 'end (exclusive, ISO-8601); default: now' })
  @AbsentOr()
  @IsoDate()
  to?: Date;
}
