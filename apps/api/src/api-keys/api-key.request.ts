import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { API_KEY_ROLES, type ApiKeyRole } from '@app/accounts';
import { AbsentOr } from '../http/absent-or';

export class ApiKeyCreateRequest {
  @ApiProperty({ example: 'CI pipeline', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    enum: API_KEY_ROLES,
    default: 'admin',
    description:
      'viewer reads only; marketer may also change audiences, templates, campaigns…; admin may also manage keys, business accounts, settings and dead letters, and read the audit log',
  })
  @AbsentOr()
  @IsIn(API_KEY_ROLES)
  role: ApiKeyRole = 'admin';
}
