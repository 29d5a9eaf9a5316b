import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { AbsentOr } from '../http/absent-or';

export class BusinessAccountCreateRequest {
  @ApiProperty({ example: '100000000000001', description: 'WhatsApp Business Account id' })
  @Matches(/^\d{1,30}$/, { message: 'wabaId must be the numeric WhatsApp Business Account id' })
  wabaId!: string;

  @ApiProperty({ description: 'System-user access token; stored encrypted, never returned' })
  @IsString()
  @Length(4, 2000)
  accessToken!: string;

  @ApiPropertyOptional({ example: 'Lucky Shrub' })
  @AbsentOr()
  @IsString()
  @Length(1, 200)
  name?: string;
}
