import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { AbsentOr } from '../http/absent-or';

export class AudienceCreateRequest {
  @ApiProperty({ example: 'Black Friday VIPs' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional()
  @AbsentOr()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class AudienceMembersRequest {
  @ApiPropertyOptional({ type: [String], description: 'contact ids (up to 1000)' })
  @AbsentOr()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  contactIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'phones (up to 1000); unknown ones become contacts when adding',
  })
  @AbsentOr()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  phones?: string[];
}
