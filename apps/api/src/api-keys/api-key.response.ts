import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  API_KEY_ROLES,
  type ApiKeyRecord,
  type ApiKeyRole,
  type CreatedApiKey,
} from '@app/accounts';

export class ApiKeyResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_KEY_ROLES }) role!: ApiKeyRole;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart' }) prefix!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class ApiKeyCreatedResponse extends ApiKeyResponse {
  @ApiPropertyOptional({ description: 'The secret. Shown once, never again.' }) secret!: string;
}

export class ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyResponse] }) data!: ApiKeyResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toApiKeyResponse(k: ApiKeyRecord): ApiKeyResponse {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function toApiKeyCreatedResponse(k: CreatedApiKey): ApiKeyCreatedResponse {
  return { ...toApiKeyResponse(k), secret: k.secret };
}
