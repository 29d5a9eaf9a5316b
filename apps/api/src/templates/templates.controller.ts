import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkspaceId } from '@app/common';
import { ContactsService } from '@app/audiences';
import { TemplatesService } from '@app/templates';
import { DeleteTemplate } from '@app/campaigns';
import { Workspace } from '../http/workspace.decorator';
import {
  TemplateCreateRequest,
  TemplateListRequest,
  TemplatePreviewRequest,
  TemplateSyncRequest,
  TemplateUpdateRequest,
} from './template.request';
import {
  TemplateListResponse,
  TemplatePreviewResponse,
  TemplateResponse,
  TemplateSyncResponse,
  toTemplatePreviewResponse,
  toTemplateResponse,
} from './template.response';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly contacts: ContactsService,
    private readonly deleteTemplate: DeleteTemplate,
  ) {}

  /** Validates as Meta would, submits to the Graph API, stores Meta's id and status (PENDING). */
  @Post()
  @ApiCreatedResponse({ type: TemplateResponse })
  async create(
    @Workspace() ws: WorkspaceId,
    @Body() body: TemplateCreateRequest,
  ): Promise<TemplateResponse> {
    return toTemplateResponse(await this.templates.create(ws, body));
  }

  @Get()
  @ApiOkResponse({ type: TemplateListResponse })
  async list(
    @Workspace() ws: WorkspaceId,
    @Query() q: TemplateListRequest,
  ): Promise<TemplateListResponse> {
    const result = await this.templates.list(ws, q.limit, q.cursor, {
      businessAccountId: q.businessAccountId,
      status: q.status,
    });
    return { data: result.data.map(toTemplateResponse), nextCursor: result.nextCursor };
  }

  /** Pulls every template of the business account from the Graph API. */
  @Post('sync')
  @ApiOkResponse({ type: TemplateSyncResponse })
  @HttpCode(200)
  sync(
    @Workspace() ws: WorkspaceId,
    @Body() body: TemplateSyncRequest,
  ): Promise<TemplateSyncResponse> {
    return this.templates.sync(ws, body.businessAccountId);
  }

  @Get(':id')
  @ApiOkResponse({ type: TemplateResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<TemplateResponse> {
    return toTemplateResponse(await this.templates.get(ws, id));
  }

  /**
   * Edits the template's TTL at Meta and here (400 outside the category's range, 409 when Meta
   * cannot edit it in its status).
   */
  @Patch(':id')
  @ApiOkResponse({ type: TemplateResponse })
  async update(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: TemplateUpdateRequest,
  ): Promise<TemplateResponse> {
    return toTemplateResponse(await this.templates.setTtl(ws, id, body.messageSendTtlSeconds));
  }

  /** 409 while a campaign that is not finished uses the template. */
  @Delete(':id')
  @ApiOkResponse({ type: TemplateResponse })
  async delete(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<TemplateResponse> {
    return toTemplateResponse(await this.deleteTemplate.execute(ws, id));
  }

  /** Renders the template exactly as the campaign sender would. */
  @Post(':id/preview')
  @ApiOkResponse({ type: TemplatePreviewResponse })
  @HttpCode(200)
  async preview(
    @Workspace() ws: WorkspaceId,
    @Param('id') id: string,
    @Body() body: TemplatePreviewRequest,
  ): Promise<TemplatePreviewResponse> {
    // A contact of this workspace (404 when it is not one), else the ad-hoc phone and attributes.
    const known = body.contactId !== undefined ? await this.contacts.get(ws, body.contactId) : null;
    const contact = known
      ? {
          phone: known.phone,
          locale: known.locale,
          timezone: known.timezone,
          attributes: { ...known.attributes, ...(body.attributes ?? {}) },
        }
      : { phone: body.phone ?? '', attributes: body.attributes ?? {} };
    return toTemplatePreviewResponse(
      await this.templates.preview(ws, id, contact, body.parameters ?? {}),
    );
  }
}
