import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { AbsentOr } from './absent-or';

export class ListRequest {
  @ApiPropertyOptional({ type: Number, default: 50, minimum: 1, maximum: 1000 })
  @AbsentOr()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @AbsentOr()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface PageResponse<T> {
  data: T[];
  nextCursor: string | null;
}
