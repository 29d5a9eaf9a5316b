import { Body, Controller, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { ConsentsService, type ConsentRecord } from '@app/consents';
import { Workspace, type AuthenticatedRequest } from '../http/workspace.decorator';
import { ConsentCreateRequest } from './consent.request';
import { ConsentCreateResponse, toConsentResponse } from './consent.response';

@ApiTags('consents')
@ApiBearerAuth()
@Controller('v1/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  /** Appends an opt-in or opt-out to the contact's ledger (a phone not known yet becomes a contact). */
  @Post()
  @ApiCreatedResponse({ type: ConsentCreateResponse })
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: ConsentCreateRequest,
    @Req() req: AuthenticatedRequest,
  ): Promise<ConsentCreateResponse> {
    const out = await this.consents.recordMany(ws, [
      {
        ...(body.contactId !== undefined
          ? { contactId: body.contactId }
          : body.userId !== undefined
            ? { userId: body.userId }
            : { phone: body.phone }),
        status: body.status,
        source: body.source,
        proof: body.proof,
        businessName: body.businessName,
        intent: body.intent,
        occurredAt: body.occurredAt,
        recordedBy: { kind: 'api_key', id: req.apiKeyId ?? null },
      },
    ]);
    const entry = out.entries[0] as ConsentRecord;
    return {
      ...toConsentResponse(entry),
      currentConsent: out.current.get(entry.contactId) ?? 'none',
    };
  }
}
