import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { withLinks } from './domain/links';
import { Database, type Sql } from '@app/db';
import { isUuid, type Page, type WorkspaceId } from '@app/common';
import {
  BusinessAccountsService,
  GraphAuthFailedError,
  GraphBudgetExhaustedError,
  GraphRequestFailedError,
  WabaCallBudget,
} from '@app/accounts';
import { GraphApiError, GraphClient } from '@app/graph-client';
import {
  normaliseLanguage,
  normaliseStatus,
  type TemplateComponent,
  type TemplateDefinition,
} from './domain/template-model';
import {
  EDITABLE_TEMPLATE_STATUSES,
  ttlProblems,
  validateTemplate,
} from './domain/validate-template';
import {
  renderTemplate,
  validateBindings,
  type ContactView,
  type RenderResult,
  type TemplateBindings,
} from './domain/render-template';
import { TemplatesRepository, type TemplateUpsert } from './templates.repository';
import {
  TemplateExistsError,
  TemplateInvalidError,
  TemplateNotEditableError,
  TemplateNotFoundError,
  TemplateNotSubmittedError,
  TemplateRejectedByGraphError,
} from './templates.errors';
import type {
  StoppedTemplate,
  TemplateCreate,
  TemplateEvent,
  TemplateRecord,
} from './templates.types';

/** Upper-cases component and button types, which Meta accepts in either case (§2.1), cards too. */
function normaliseComponents(components: TemplateComponent[]): TemplateComponent[] {
  return components.map((c) => {
    const type = String((c as { type: string }).type).toUpperCase();
    const out = { ...c, type } as TemplateComponent;
    if (out.type === 'HEADER' && typeof out.format === 'string') {
      out.format = out.format.toUpperCase() as typeof out.format;
    }
    if (out.type === 'BUTTONS' && Array.isArray(out.buttons)) {
      out.buttons = out.buttons.map((b) => ({
        ...b,
        type: String(b.type).toUpperCase() as typeof b.type,
      }));
    }
    if (out.type === 'CAROUSEL' && Array.isArray(out.cards)) {
      out.cards = out.cards.map((card) => ({
        ...card,
        components: Array.isArray(card?.components)
          ? (normaliseComponents(card.components) as typeof card.components)
          : card?.components,
      }));
    }
    return out;
  });
}

@Injectable()
export class TemplatesService {
  private readonly logger = new Logger(TemplatesService.name);

  constructor(
    private readonly templates: TemplatesRepository,
    private readonly accounts: BusinessAccountsService,
    private readonly budget: WabaCallBudget,
    private readonly graph: GraphClient,
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Validates as Meta would, submits through the Graph API and stores Meta's id and status. */
  async create(ws: WorkspaceId, input: TemplateCreate): Promise<TemplateRecord> {
    const def: TemplateDefinition = {
      name: input.name,
      language: input.language,
      category: input.category,
      parameterFormat: input.parameterFormat ?? 'positional',
      components: normaliseComponents(input.components),
      messageSendTtlSeconds: input.messageSendTtlSeconds ?? null,
    };
    const problems = validateTemplate(def);
    if (problems.length) {
      throw new TemplateInvalidError(problems);
    }
    const account = await this.accounts.get(ws, input.businessAccountId);
    if (await this.templates.exists(account.id, def.name, def.language)) {
      throw new TemplateExistsError(def.name, def.language);
    }
    const token = await this.accounts.accessToken(ws, account.id);
    const created = await this.callGraph(account.wabaId, account.phoneNumbers.length > 0, () =>
      this.graph.createTemplate(account.wabaId, token, {
        name: def.name,
        language: def.language,
        category: def.category,
        parameter_format: def.parameterFormat,
        components: def.components,
        ...(def.messageSendTtlSeconds
          ? { message_send_ttl_seconds: def.messageSendTtlSeconds }
          : {}),
      }),
    );
    const stored = await this.templates.insert(ws, account.id, {
      metaTemplateId: created.id,
      name: def.name,
      language: def.language,
      category: created.category ?? def.category,
      parameterFormat: def.parameterFormat,
      components: def.components,
      messageSendTtlSeconds: def.messageSendTtlSeconds ?? null,
      status: normaliseStatus(created.status ?? 'PENDING') ?? 'PENDING',
      rejectedReason: null,
      qualityScore: null,
    });
    if (!stored) {
      // A concurrent create of the same name, or Meta answered with an id we already hold.
      throw new TemplateExistsError(def.name, def.language);
    }
    return stored;
  }

  list(
    ws: WorkspaceId,
    limit: number,
    cursor: string | undefined,
    filter: { businessAccountId?: string; status?: string } = {},
  ): Promise<Page<TemplateRecord>> {
    return this.templates.list(ws, limit, cursor, filter);
  }

  async get(ws: WorkspaceId, id: string): Promise<TemplateRecord> {
    const found = isUuid(id) ? await this.templates.find(ws, id) : null;
    if (!found) {
      throw new TemplateNotFoundError(id);
    }
    return found;
  }

  /**
   * Sets (or, with null, removes) the template's TTL at Meta (`POST /<TEMPLATE_ID>`
   * `message_send_ttl_seconds`, §3.3) and here. Messages already sent keep the TTL they left with.
   */
  async setTtl(ws: WorkspaceId, id: string, ttl: number | null): Promise<TemplateRecord> {
    const t = await this.get(ws, id);
    const problems = ttlProblems(t.category, ttl);
    if (problems.length) {
      throw new TemplateInvalidError(problems);
    }
    if (!t.metaTemplateId) {
      throw new TemplateNotSubmittedError(`template ${id} was never submitted to Meta`);
    }
    if (!EDITABLE_TEMPLATE_STATUSES.includes(t.status)) {
      throw new TemplateNotEditableError(id, t.status);
    }
    const account = await this.accounts.get(ws, t.businessAccountId);
    const token = await this.accounts.accessToken(ws, account.id);
    const metaTemplateId = t.metaTemplateId;
    await this.callGraph(account.wabaId, account.phoneNumbers.length > 0, () =>
      this.graph.editTemplate(metaTemplateId, token, { message_send_ttl_seconds: ttl }),
    );
    const updated = await this.templates.setTtl(ws, id, ttl);
    if (!updated) {
      throw new TemplateNotFoundError(id);
    }
    return updated;
  }

  /** Deletes the template at Meta (this language only) and keeps our row as DELETED for history. */
  async delete(ws: WorkspaceId, id: string): Promise<TemplateRecord> {
    const template = await this.get(ws, id);
    if (template.status === 'DELETED') {
      return template;
    }
    if (!template.metaTemplateId) {
      throw new TemplateNotSubmittedError(`template ${id} was never submitted to Meta`);
    }
    const account = await this.accounts.get(ws, template.businessAccountId);
    const token = await this.accounts.accessToken(ws, account.id);
    await this.callGraph(account.wabaId, account.phoneNumbers.length > 0, () =>
      this.graph.deleteTemplate(account.wabaId, token, {
        name: template.name,
        hsmId: template.metaTemplateId ?? undefined,
      }),
    );
    return (await this.templates.setStatus(ws, id, 'DELETED')) ?? template;
  }

  /** Pulls every template of the account from the Graph API (all pages) and mirrors it. */
  async sync(
    ws: WorkspaceId,
    businessAccountId: string,
  ): Promise<{ total: number; created: number; updated: number }> {
    const account = await this.accounts.get(ws, businessAccountId);
    const token = await this.accounts.accessToken(ws, account.id);
    const remote = await this.callGraph(account.wabaId, account.phoneNumbers.length > 0, () =>
      this.graph.listAllTemplates(account.wabaId, token),
    );
    const rows: TemplateUpsert[] = [];
    for (const t of remote) {
      const status = normaliseStatus(t.status ?? '');
      if (!status || !t.name || !t.language || !t.category) {
        this.logger.warn(`skipping template ${t.id} with unknown status ${t.status}`);
        continue;
      }
      const category = t.category.toUpperCase();
      const ttl = t.message_send_ttl_seconds ?? null;
      rows.push({
        metaTemplateId: String(t.id),
        name: t.name,
        language: normaliseLanguage(t.language),
        category,
        parameterFormat: t.parameter_format?.toLowerCase() === 'named' ? 'named' : 'positional',
        components: normaliseComponents((t.components ?? []) as unknown as TemplateComponent[]),
        // A value we could not send (outside the documented range) is kept as none.
        messageSendTtlSeconds: ttlProblems(category, ttl).length ? null : ttl,
        status,
        rejectedReason: t.rejected_reason ?? null,
        qualityScore: t.quality_score?.score ?? null,
      });
    }
    const counts = await this.templates.upsertMany(ws, account.id, rows);
    return { total: rows.length, ...counts };
  }

  /** The same rendering the campaign sender uses, for a contact or ad-hoc attributes. */
  async preview(
    ws: WorkspaceId,
    id: string,
    contact: ContactView,
    bindings: TemplateBindings,
  ): Promise<RenderResult> {
    const template = await this.get(ws, id);
    const problems = validateBindings(template, bindings);
    if (problems.length) {
      throw new TemplateInvalidError(problems);
    }
    // A tracked link shows as what a recipient will get: a short link of ours.
    const preview = withLinks(bindings, (_i, form) =>
      form === 'token' ? 'PREVIEW' : `${this.config.links.publicBaseUrl}/r/PREVIEW`,
    );
    return renderTemplate(template, preview, contact);
  }

  /**
   * Applies template webhook events (status, quality, category) inside the caller's transaction.
   * Returns the templates whose new status stops campaigns (PAUSED, DISABLED, REJECTED…).
   */
  async applyEvents(tx: Sql, events: TemplateEvent[]): Promise<StoppedTemplate[]> {
    const changed: StoppedTemplate[] = [];
    for (const e of events) {
      if (e.kind === 'status') {
        const status = normaliseStatus(e.event);
        if (!status) {
          this.logger.warn(`ignoring template event ${e.event} for ${e.metaTemplateId}`);
          continue;
        }
        changed.push(
          ...(await this.templates.applyStatus(
            tx,
            e.metaTemplateId,
            status,
            e.reason,
            e.rejectionInfo,
          )),
        );
      } else if (e.kind === 'quality') {
        await this.templates.applyQuality(tx, e.metaTemplateId, e.newQualityScore);
      } else {
        await this.templates.applyCategory(
          tx,
          e.metaTemplateId,
          e.newCategory.toUpperCase(),
          e.previousCategory,
        );
      }
    }
    return changed;
  }

  /** Convenience for callers without a transaction of their own (tests, admin tools). */
  applyEventsNow(events: TemplateEvent[]): Promise<StoppedTemplate[]> {
    return this.db.tx((tx) => this.applyEvents(tx, events));
  }

  /** Spends the WABA's management budget, then maps Graph failures to domain errors. */
  private async callGraph<T>(wabaId: string, active: boolean, fn: () => Promise<T>): Promise<T> {
    await this.budget.take(wabaId, active);
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof GraphApiError)) {
        throw e;
      }
      const details = { graphCode: e.code, graphMessage: e.message, graphDetails: e.details };
      switch (e.category) {
        case 'auth':
          throw new GraphAuthFailedError(
            `the Graph API refused the access token: ${e.message}`,
            details,
          );
        case 'rate-limit':
          await this.budget.blockFor(wabaId, e.retryAfterMs ?? 60_000);
          throw new GraphBudgetExhaustedError(wabaId, e.retryAfterMs ?? 60_000);
        case 'transient':
        case 'throughput':
          throw new GraphRequestFailedError(`the Graph API is unavailable: ${e.message}`, details);
        default:
          throw new TemplateRejectedByGraphError(
            `the Graph API rejected the template: ${e.message}`,
            details,
          );
      }
    }
  }
}
