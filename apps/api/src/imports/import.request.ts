import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { AbsentOr } from '../http/absent-or';

/** Query of POST /v1/audiences/:id/imports; checked in depth by ImportsService.parseOptions. */
export class ImportCreateQuery {
  @ApiPropertyOptional({
    description:
      'JSON object from CSV header to phone | locale | timezone | attributes.<name> (null ignores the column)',
    example: '{"Mobile":"phone","First name":"attributes.firstName"}',
  })
  @AbsentOr()
  @IsString()
  @MaxLength(20000)
  mapping?: string;

  @ApiPropertyOptional({ description: 'one of , ; | tab — detected from the header when absent' })
  @AbsentOr()
  @IsString()
  @MaxLength(3)
  delimiter?: string;

  @ApiPropertyOptional({
    description: 'ISO country for numbers without +; else the workspace default',
  })
  @AbsentOr()
  @IsString()
  @MaxLength(2)
  defaultCountry?: string;

  @ApiPropertyOptional({ description: 'marks every imported contact as opted in with this source' })
  @AbsentOr()
  @IsString()
  @MaxLength(200)
  optInSource?: string;
}
