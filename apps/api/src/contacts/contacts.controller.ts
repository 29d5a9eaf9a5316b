import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { WorkspaceId } from '@app/common';
import { ContactsService } from '@app/audiences';
import { ConsentsService } from '@app/consents';
import { Workspace } from '../http/workspace.decorator';
import { ListRequest } from '../http/list.request';
import { ContactListRequest, ContactUpsertRequest } from './contact.request';
import { ContactListResponse, ContactResponse, toContactResponse } from './contact.response';
import { ConsentListResponse, toConsentResponse } from '../consents/consent.response';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly consents: ConsentsService,
  ) {}

  /** Creates the contact (201) or merges into the one with this phone (200). */
  @Post()
  @ApiCreatedResponse({ type: ContactResponse, description: 'a new contact' })
  @ApiOkResponse({ type: ContactResponse, description: 'merged into the contact with this phone' })
  async upsert(
    @Workspace() ws: WorkspaceId,
    @Body() body: ContactUpsertRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContactResponse> {
    const { contact, created } = await this.contacts.upsert(ws, body);
    void reply.status(created ? 201 : 200);
    return toContactResponse(contact);
  }

  @Get()
  @ApiOkResponse({ type: ContactListResponse })
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: ContactListRequest,
  ): Promise<ContactListResponse> {
    const page = await this.contacts.list(ws, q.limit, q.cursor, q.consent);
    return { data: page.data.map(toContactResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<ContactResponse> {
    return toContactResponse(await this.contacts.get(ws, id));
  }

  /** The contact's consent ledger, oldest first. */
  @Get(':id/consents')
  @ApiOkResponse({ type: ConsentListResponse })
  async consentsOf(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Query() q: ListRequest,
  ): Promise<ConsentListResponse> {
    const page = await this.consents.list(ws, id, q.limit, q.cursor);
    return { data: page.data.map(toConsentResponse), nextCursor: page.nextCursor };
  }
}
