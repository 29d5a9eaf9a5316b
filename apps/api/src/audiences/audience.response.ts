import { ApiProperty } from '@nestjs/swagger';
import type { AudienceRecord, ContactRecord, MembersChange } from '@app/audiences';
import { ContactResponse, toContactResponse } from '../contacts/contact.response';

export class AudienceResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ description: 'exact, kept by the database in the statements that change members' })
  memberCount!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class AudienceListResponse {
  @ApiProperty({ type: [AudienceResponse] }) data!: AudienceResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

class InvalidPhone {
  @ApiProperty() phone!: string;
  @ApiProperty() reason!: string;
}

export class MembersChangeResponse {
  @ApiProperty({ description: 'members added (POST) or removed (DELETE) by this call' })
  changed!: number;
  @ApiProperty({ type: [String] }) unknownContactIds!: string[];
  @ApiProperty({ type: [InvalidPhone] }) invalidPhones!: InvalidPhone[];
  @ApiProperty() memberCount!: number;
}

export class MemberResponse extends ContactResponse {
  @ApiProperty() addedAt!: string;
}

export class MemberListResponse {
  @ApiProperty({ type: [MemberResponse] }) data!: MemberResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAudienceResponse(a: AudienceRecord): AudienceResponse {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    memberCount: a.memberCount,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function toMembersChangeResponse(c: MembersChange): MembersChangeResponse {
  return { ...c };
}

export function toMemberResponse(m: ContactRecord & { addedAt: Date }): MemberResponse {
  return { ...toContactResponse(m), addedAt: m.addedAt.toISOString() };
}
