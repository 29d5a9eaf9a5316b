import { ApiProperty } from '@nestjs/swagger';
import type { BusinessAccountRecord } from '@app/accounts';
import { PhoneNumberResponse, toPhoneNumberResponse } from '../phone-numbers/phone-number.response';

export class BusinessAccountResponse {
  @ApiProperty() id!: string;
  @ApiProperty() wabaId!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ type: [PhoneNumberResponse] }) phoneNumbers!: PhoneNumberResponse[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class BusinessAccountListResponse {
  @ApiProperty({ type: [BusinessAccountResponse] }) data!: BusinessAccountResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toBusinessAccountResponse(a: BusinessAccountRecord): BusinessAccountResponse {
  return {
    id: a.id,
    wabaId: a.wabaId,
    name: a.name,
    phoneNumbers: a.phoneNumbers.map(toPhoneNumberResponse),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
