import { Injectable } from '@nestjs/common';
import type { WorkspaceId } from '@app/common';
import { TemplatesService, type TemplateRecord } from '@app/templates';
import { CampaignsRepository } from '../campaigns.repository';
import { TemplateInUseError } from '../campaigns.errors';

/**
 * Deletes a template at Meta and here, unless a campaign that is not finished uses it (409).
 * Checked before Meta is called, so a refused delete changes nothing anywhere. A campaign
 * created while the delete is in flight still cannot send it: launch needs an APPROVED
 * template. (Not a database constraint: Meta may delete or disable a template on its own, and
 * its webhook must always apply; campaigns then stop with the reason.)
 */
@Injectable()
export class DeleteTemplate {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly templates: TemplatesService,
  ) {}

  async execute(ws: WorkspaceId, templateId: string): Promise<TemplateRecord> {
    const template = await this.templates.get(ws, templateId);
    const users = await this.campaigns.unfinishedOfTemplate(ws, template.id);
    if (users.length > 0) {
      throw new TemplateInUseError(template.id, users);
    }
    return this.templates.delete(ws, template.id);
  }
}
