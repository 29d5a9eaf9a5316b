import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { ConsentsService } from '@app/consents';
import { queryRows } from '@app/db';
import { TemplatesService, type TemplateEvent as TemplateChange } from '@app/templates';
import type {
  InboundMessage,
  InboundMessagesHandler,
  TemplateEvent,
  TemplateEventsHandler,
  UserPreferenceEvent,
  UserPreferencesHandler,
} from '@app/webhooks';
import { CampaignsService } from './campaigns.service';
import { KnownStatuses } from './known-statuses';

/** Workspaces that send from each of Meta's phone-number ids (a number may be registered in several). */
async function workspacesByNumber(
  em: EntityManager,
  numbers: Array<string | null>,
): Promise<Map<string, string[]>> {
  const ids = [...new Set(numbers.filter((n): n is string => !!n))];
  const rows = await queryRows<{ workspace_id: string; phone_number_id: string }>(
    em,
    `SELECT DISTINCT workspace_id, phone_number_id FROM phone_numbers WHERE phone_number_id = ANY($1::text[])`,
    [ids],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    (out.get(r.phone_number_id) ?? out.set(r.phone_number_id, []).get(r.phone_number_id)!).push(
      r.workspace_id,
    );
  }
  return out;
}

type ConsentChange = {
  phone: string;
  status: 'opted_in' | 'opted_out';
  source: string;
  proof: string;
  at: Date | null;
  by: string;
};

async function recordConsents(
  em: EntityManager,
  consents: ConsentsService,
  changes: ReadonlyArray<ConsentChange & { phoneNumberId: string | null }>,
): Promise<void> {
  if (changes.length === 0) {
    return;
  }
  const owners = await workspacesByNumber(
    em,
    changes.map((c) => c.phoneNumberId),
  );
  const byWs = new Map<string, ConsentChange[]>();
  for (const c of changes) {
    for (const ws of owners.get(c.phoneNumberId ?? '') ?? []) {
      (byWs.get(ws) ?? byWs.set(ws, []).get(ws)!).push(c);
    }
  }
  for (const [ws, list] of byWs) {
    await consents.recordMany(
      asWorkspaceId(ws),
      list.map((c) => ({
        phone: c.phone,
        status: c.status,
        source: c.source,
        proof: c.proof.slice(0, 2000),
        occurredAt: c.at ?? undefined,
        recordedBy: { kind: 'webhook' as const, id: c.by },
      })),
      em,
    );
  }
}

/**
 * Inbound messages: STOP keywords and the opt-out button become opt-outs in the consent ledger
 * (the message is the proof); quick-reply taps on a campaign message count as its click.
 */
@Injectable()
export class InboundConsumer implements InboundMessagesHandler {
  constructor(
    private readonly consents: ConsentsService,
    private readonly known: KnownStatuses,
  ) {}

  async onInbound(em: EntityManager, messages: readonly InboundMessage[]): Promise<void> {
    await recordConsents(
      em,
      this.consents,
      messages
        .filter((m) => m.isOptOut)
        .map((m) => ({
          phone: `+${m.from.replace(/^\+/, '')}`,
          status: 'opted_out' as const,
          source: m.optOutReason === 'button' ? 'whatsapp_opt_out_button' : 'whatsapp_stop_keyword',
          proof: JSON.stringify(m.raw),
          at: m.at,
          by: m.wamid,
          phoneNumberId: m.phoneNumberId,
        })),
    );
    const clicks = messages
      .filter((m) => m.isButtonClick && !m.isOptOut && m.contextWamid)
      .map((m) => ({ contextWamid: m.contextWamid as string, at: m.at }));
    if (clicks.length) {
      await this.known.applyClicks(em, clicks);
    }
  }
}

/** The user's own "stop"/"resume" of marketing in WhatsApp settings (authoritative, MMLITE §8). */
@Injectable()
export class UserPreferencesConsumer implements UserPreferencesHandler {
  constructor(private readonly consents: ConsentsService) {}

  async onUserPreferences(
    em: EntityManager,
    events: readonly UserPreferenceEvent[],
  ): Promise<void> {
    await recordConsents(
      em,
      this.consents,
      events
        .filter((e) => e.value === 'stop' || e.value === 'resume')
        .map((e) => ({
          phone: `+${e.waId.replace(/^\+/, '')}`,
          status: e.value === 'stop' ? ('opted_out' as const) : ('opted_in' as const),
          source: `whatsapp_user_preferences_${e.value}`,
          proof: JSON.stringify(e.raw),
          at: e.at,
          by: e.dedupeKey,
          phoneNumberId: e.phoneNumberId,
        })),
    );
  }
}

/** Template status/quality/category updates; a stopping status pauses or fails its campaigns. */
@Injectable()
export class TemplateEventsConsumer implements TemplateEventsHandler {
  private readonly logger = new Logger(TemplateEventsConsumer.name);

  constructor(
    private readonly templates: TemplatesService,
    private readonly campaigns: CampaignsService,
  ) {}

  async onTemplateEvents(em: EntityManager, events: readonly TemplateEvent[]): Promise<void> {
    const changes: TemplateChange[] = [];
    for (const e of events) {
      if (e.kind === 'status' && e.event) {
        changes.push({
          kind: 'status',
          wabaId: e.wabaId,
          metaTemplateId: e.templateId,
          event: e.event,
          reason: e.reason,
          rejectionInfo: (e.raw as { rejection_info?: unknown } | null)?.rejection_info ?? null,
          otherInfo: (e.raw as { other_info?: unknown } | null)?.other_info ?? null,
        });
      } else if (e.kind === 'quality' && e.newQuality) {
        changes.push({
          kind: 'quality',
          wabaId: e.wabaId,
          metaTemplateId: e.templateId,
          newQualityScore: e.newQuality,
        });
      } else if (e.kind === 'category' && e.newCategory && !e.categoryUpdateAt) {
        changes.push({
          kind: 'category',
          wabaId: e.wabaId,
          metaTemplateId: e.templateId,
          newCategory: e.newCategory,
          previousCategory: e.previousCategory,
        });
      }
    }
    const stopped = await this.templates.applyEvents(em, changes);
    const n = await this.campaigns.stopForTemplates(em, stopped);
    if (n) {
      this.logger.warn({ message: 'campaigns stopped by template status', campaigns: n });
    }
  }
}
