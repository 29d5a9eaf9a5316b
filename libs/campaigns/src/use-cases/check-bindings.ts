import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type WorkspaceId } from '@app/common';
import { SegmentsService } from '@app/segments';
import {
  bindingProblems,
  formattedSlots,
  scanContact,
  TemplatesService,
  type BindingProblem,
  type TemplateBindings,
  type TemplateRecord,
} from '@app/templates';
import { BindingScanRepository } from '../binding-scan.repository';
import { boundPathsOf, targetSpecOf, type CampaignRecord } from '../campaigns.types';
import { contactOfBoundValues } from '../domain/bound-values';

/** Contacts read per page when values must be checked one by one (memory stays bounded). */
const SCAN_PAGE = 2000;

/**
 * The plan's (and launch's) check of every binding against the target, with the component and
 * index of each problem: a bound field missing for some contacts (skipped) or all (refused), a
 * value Meta would refuse with 132012 (refused). Counting missing fields is one SQL pass; only
 * slots with a format of their own (coupon codes, expiry times, product ids, media) bound to
 * contact fields make it read the values, page by page.
 */
@Injectable()
export class CheckBindings {
  constructor(
    private readonly scans: BindingScanRepository,
    private readonly templates: TemplatesService,
    private readonly segments: SegmentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(ws: WorkspaceId, campaign: CampaignRecord): Promise<BindingProblem[]> {
    const now = this.clock.now();
    const contents: Array<{
      variant: string | null;
      templateId: string;
      parameters: TemplateBindings;
    }> =
      campaign.variants.length > 0
        ? campaign.variants.map((v) => ({
            variant: v.key,
            templateId: v.templateId,
            parameters: v.parameters,
          }))
        : [{ variant: null, templateId: campaign.templateId, parameters: campaign.parameters }];
    const templates = await Promise.all(contents.map((c) => this.templates.get(ws, c.templateId)));
    const spec = {
      workspaceId: ws,
      filter: campaign.targetFilter ?? (await this.segments.targetOf(ws, targetSpecOf(campaign))),
      referenceAt: campaign.targetReferenceAt ?? now,
      boundPaths: boundPathsOf(campaign),
    };
    const gaps = await this.scans.fieldGaps(spec);
    const checks = contents.map((c, i) => {
      const template = templates[i] as TemplateRecord;
      return {
        ...c,
        template,
        slots: formattedSlots(template, c.parameters),
        invalid: new Map<string, { contacts: number; message: string }>(),
      };
    });
    if (checks.some((c) => c.slots.length > 0)) {
      let after: string | null = null;
      for (;;) {
        const page = await this.scans.boundValuesPage(spec, after, SCAN_PAGE);
        for (const row of page) {
          const contact = contactOfBoundValues(row.phone, row.bound ?? {});
          for (const c of checks) {
            scanContact(c.slots, contact, now.getTime(), c.invalid);
          }
        }
        if (page.length < SCAN_PAGE) {
          break;
        }
        after = page[page.length - 1]?.id ?? null;
      }
    }
    return checks.flatMap((c) =>
      bindingProblems(
        c.template,
        c.parameters,
        { checked: gaps.checked, missing: gaps.missing, invalid: c.invalid },
        now.getTime(),
        c.variant,
      ),
    );
  }
}
