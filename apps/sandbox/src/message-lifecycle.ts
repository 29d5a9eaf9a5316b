import type {
  WebhookError,
  WebhookInboundMessage,
  WebhookPricing,
  WebhookStatus,
  WebhookStatusValue,
  WebhookUserAction,
} from '@app/graph-contract';
import { bsuidOf } from './bsuid';
import { ASYNC_ERRORS } from './graph-error';
import { follow } from './links';
import type {
  ProductType,
  SandboxPhoneNumber,
  SandboxState,
  SandboxTemplate,
} from './sandbox-state';
import type { TaskScheduler } from './task-scheduler';
import {
  displayDigits,
  messagesValue,
  type SenderMetadata,
  type WebhookDispatcher,
} from './webhook-dispatcher';

/** What the lifecycle needs to know about an accepted message. */
export interface AcceptedMessage {
  wamid: string;
  phone: SandboxPhoneNumber;
  /** Phone digits, or the BSUID when sent by BSUID. */
  recipientId: string;
  userId: string | null;
  template: SandboxTemplate | null;
  product: ProductType;
  pricingCategory: string;
  bizOpaqueCallbackData: string | null;
  quickReplyPayloads: Map<number, string>;
  /** The URLs the recipient sees (buttons with their suffix, links in text). */
  links: string[];
  /** Graph version of the send: v23.0 and older still carry the `conversation` object (§9.3). */
  legacyConversation: boolean;
}

export interface WamidInfo {
  phoneNumberId: string;
  recipient: string;
  templateId: string | null;
  product: ProductType;
}

/**
 * A wamid that carries its sender number, recipient, template and product (base64, like Meta's), so
 * a later reply can be attached to it and attributed without the sandbox remembering every message.
 */
export function makeWamid(info: WamidInfo, seq: number): string {
  const raw = [
    info.phoneNumberId,
    info.recipient,
    seq.toString(16).toUpperCase().padStart(12, '0'),
    info.templateId ?? '',
    info.product === 'CLOUD_API' ? 'C' : 'M',
  ].join('|');
  return `wamid.${Buffer.from(raw).toString('base64')}`;
}

export function parseWamid(wamid: string): WamidInfo | null {
  if (!wamid.startsWith('wamid.')) {
    return null;
  }
  const parts = Buffer.from(wamid.slice(6), 'base64').toString('utf8').split('|');
  if (parts.length !== 5 || !/^\d+$/.test(parts[0] as string)) {
    return null;
  }
  return {
    phoneNumberId: parts[0] as string,
    recipient: parts[1] as string,
    templateId: parts[3] ? parts[3] : null,
    product: parts[4] === 'C' ? 'CLOUD_API' : 'MARKETING_MESSAGES_API_FOR_WHATSAPP',
  };
}

/** Meta's TTL when a template sets none (§1.6). */
const DEFAULT_TTL_SECONDS = 2_592_000;

/** Since 2025-04-01 marketing templates are not delivered to US (+1) numbers (§1.8, §6.4). */
export function isUsNumber(waId: string | null): boolean {
  return waId !== null && waId.startsWith('1');
}

/**
 * Plays out what happens to an accepted message: the asynchronous failures (131050, 131026, 131049)
 * or `sent` → `delivered` → `read` with configured probabilities and delays, inbound replies
 * ("STOP", quick-reply taps), URL clicks and conversions — feeding webhooks and template analytics.
 */
export class MessageLifecycle {
  constructor(
    private readonly state: SandboxState,
    private readonly scheduler: TaskScheduler,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  private meta(phone: SandboxPhoneNumber): SenderMetadata {
    return {
      wabaId: phone.wabaId,
      phoneNumberId: phone.id,
      displayPhoneNumber: phone.displayPhoneNumber,
    };
  }

  private status(
    m: AcceptedMessage,
    status: WebhookStatusValue,
    extra: { pricing?: boolean; errors?: WebhookError[] },
  ): WebhookStatus {
    const out: WebhookStatus = {
      id: m.wamid,
      status,
      timestamp: String(Math.floor(this.state.clock.nowMs() / 1000)),
      recipient_id: m.recipientId,
    };
    // Since 2026 every status names the user's BSUID too.
    out.recipient_user_id = m.userId ?? bsuidOf(m.recipientId);
    if (m.bizOpaqueCallbackData !== null) {
      out.biz_opaque_callback_data = m.bizOpaqueCallbackData;
    }
    if (extra.pricing) {
      if (m.legacyConversation) {
        out.conversation = {
          id: m.wamid.slice(6, 38),
          expiration_timestamp: String(Math.floor(this.state.clock.nowMs() / 1000) + 86_400),
          origin: { type: m.pricingCategory },
        };
      }
      out.pricing = this.pricing(m);
    }
    if (extra.errors) {
      out.errors = extra.errors;
    }
    return out;
  }

  private pricing(m: AcceptedMessage): WebhookPricing {
    if (!m.template) {
      return {
        billable: false,
        pricing_model: 'PMP',
        type: 'free_customer_service',
        category: 'service',
      };
    }
    return { billable: true, pricing_model: 'PMP', type: 'regular', category: m.pricingCategory };
  }

  private failure(code: number): WebhookError {
    const e = ASYNC_ERRORS[code] ?? { title: 'Failure', details: 'Failure' };
    return {
      code,
      title: e.title,
      message: e.title,
      error_data: { details: e.details },
      href: '/documentation/business-messaging/whatsapp/support/error-codes',
    };
  }

  /** The asynchronous failure the recipient earns, if any (§5.2 notes, §8). */
  private failureCode(m: AcceptedMessage): number | null {
    const s = this.state;
    const marketing = m.template?.category === 'MARKETING';
    const key = m.recipientId;
    if (marketing && s.stopped.has(key)) {
      return 131050;
    }
    if (marketing && s.holdout.has(key)) {
      return 130472;
    }
    if (s.undeliverable.has(key) || s.random.chance(s.settings.probabilities.undeliverable)) {
      return 131026;
    }
    if (
      marketing &&
      (isUsNumber(m.userId ? null : key) ||
        s.capped.has(key) ||
        s.random.chance(s.settings.probabilities.perUserCap))
    ) {
      return 131049;
    }
    return null;
  }

  accepted(m: AcceptedMessage): void {
    const s = this.state;
    const { delays, probabilities: p, chaos } = s.settings;
    const meta = this.meta(m.phone);
    const code = this.failureCode(m);
    if (code !== null) {
      this.scheduler.after(delays.failedMs, () => {
        s.countAsyncError(code);
        this.webhooks.status(meta, this.status(m, 'failed', { errors: [this.failure(code)] }));
      });
      return;
    }
    const delivered = s.random.chance(p.delivered);
    const read = delivered && s.random.chance(p.read);
    let deliveredAt = delays.sentMs + delays.deliveredMs;
    let readAt = deliveredAt + delays.readMs;
    if (read && s.random.chance(chaos.outOfOrderRate)) {
      [deliveredAt, readAt] = [readAt, deliveredAt];
    }
    this.scheduler.after(delays.sentMs, () => {
      if (m.template) {
        s.templateDay(m.template.id, m.product, s.clock.nowMs()).sent++;
      }
      this.webhooks.status(meta, this.status(m, 'sent', { pricing: true }));
    });
    if (s.offline.has(m.recipientId)) {
      // Phone off: delivered (and maybe read) when it comes back, if the TTL has not run out.
      const waiting = s.waitingForRecipient.get(m.recipientId) ?? [];
      // The template's TTL as it was at send (30 days without one; -1 means the same).
      const ttl = m.template?.messageSendTtlSeconds ?? -1;
      waiting.push({
        dropAtMs: s.clock.nowMs() + (ttl > 0 ? ttl : DEFAULT_TTL_SECONDS) * 1000,
        deliver: () => this.deliverNow(m, read),
      });
      s.waitingForRecipient.set(m.recipientId, waiting);
      return;
    }
    if (delivered) {
      this.scheduler.after(deliveredAt, () => this.deliver(m, meta));
    }
    if (read) {
      this.scheduler.after(readAt, () => this.read(m, meta));
      this.scheduler.after(Math.max(readAt, deliveredAt) + delays.replyMs, () => this.engage(m));
    }
  }

  /** An offline recipient's message reaches the phone now: `delivered`, then maybe `read`. */
  private deliverNow(m: AcceptedMessage, read: boolean): void {
    const meta = this.meta(m.phone);
    this.deliver(m, meta);
    if (read) {
      this.scheduler.after(this.state.settings.delays.readMs, () => this.read(m, meta));
    }
  }

  /** `delivered`, counted (and priced) in the template's analytics day. */
  private deliver(m: AcceptedMessage, meta: SenderMetadata): void {
    const s = this.state;
    if (m.template) {
      const day = s.templateDay(m.template.id, m.product, s.clock.nowMs());
      day.delivered++;
      day.cost += s.settings.pricing[m.pricingCategory] ?? 0;
    }
    this.webhooks.status(meta, this.status(m, 'delivered', { pricing: true }));
  }

  /** `read`, counted in the template's analytics day. */
  private read(m: AcceptedMessage, meta: SenderMetadata): void {
    const s = this.state;
    if (m.template) {
      s.templateDay(m.template.id, m.product, s.clock.nowMs()).read++;
    }
    this.webhooks.status(meta, this.status(m, 'read', {}));
  }

  /**
   * A recipient's phone is back: each message waiting for it is delivered if it is still within
   * its template's TTL (30 days without one) from acceptance, by the sandbox clock; the others
   * were dropped by then, silently (MMLITE §1.6). Returns how many were delivered.
   */
  online(recipient: string): number {
    const s = this.state;
    s.offline.delete(recipient);
    const waiting = s.waitingForRecipient.get(recipient) ?? [];
    s.waitingForRecipient.delete(recipient);
    let delivered = 0;
    for (const w of waiting) {
      if (s.clock.nowMs() <= w.dropAtMs) {
        w.deliver();
        delivered++;
      } else {
        s.ttlDropped++;
      }
    }
    return delivered;
  }

  /** What a reader does next: answer STOP, tap a quick reply, click a URL (and maybe buy). */
  private engage(m: AcceptedMessage): void {
    const s = this.state;
    const p = s.settings.probabilities;
    if (m.userId) {
      return; // replies are addressed by phone number in this sandbox
    }
    const buttons =
      m.template?.components.find((c) => c.type.toUpperCase() === 'BUTTONS')?.buttons ?? [];
    if (s.random.chance(p.stopReply)) {
      this.reply(m.phone, m.recipientId, m.wamid, { text: 'STOP' });
    } else {
      const qrIndex = buttons.findIndex((b) => b.type.toUpperCase() === 'QUICK_REPLY');
      if (qrIndex >= 0 && s.random.chance(p.buttonReply)) {
        const label = buttons[qrIndex]?.text ?? '';
        this.reply(m.phone, m.recipientId, m.wamid, {
          button: { payload: m.quickReplyPayloads.get(qrIndex) ?? label, text: label },
        });
        if (m.template) {
          this.click(
            s.templateDay(m.template.id, m.product, s.clock.nowMs()),
            'quick_reply_button',
            label,
          );
        }
      }
    }
    const url = buttons.find((b) => b.type.toUpperCase() === 'URL');
    if (m.template && (url || m.links.length > 0) && s.random.chance(p.urlClick)) {
      const day = s.templateDay(m.template.id, m.product, s.clock.nowMs());
      this.click(day, 'url_button', url?.text ?? '');
      // The reader's browser opens the link (the engine's tracked link records the click).
      const link = m.links[0];
      if (link) {
        s.linkFollows++;
        void follow(link);
      }
      if (s.random.chance(p.conversion)) {
        day.conversions.set(
          'WEBSITE_PURCHASES',
          (day.conversions.get('WEBSITE_PURCHASES') ?? 0) + 1,
        );
        day.conversions.set(
          'WEBSITE_PURCHASES_CONVERSION_VALUE',
          (day.conversions.get('WEBSITE_PURCHASES_CONVERSION_VALUE') ?? 0) +
            s.settings.conversionValue,
        );
      }
    }
  }

  click(day: ReturnType<SandboxState['templateDay']>, type: string, content: string): void {
    const key = `${type}|${content}`;
    const c = day.clicks.get(key) ?? { type, content, count: 0 };
    c.count++;
    day.clicks.set(key, c);
  }

  /**
   * Posts an inbound message from `from` to the number (§4.6); with `contextWamid` it replies to that
   * message.
   */
  reply(
    phone: SandboxPhoneNumber,
    from: string,
    contextWamid: string | null,
    content: { text: string } | { button: { payload: string; text: string } },
    /** A username user: the webhook names them by BSUID only (no `from`, no `wa_id`). */
    bsuidOnly = false,
  ): string {
    const s = this.state;
    const wamid = makeWamid(
      { phoneNumberId: phone.id, recipient: from, templateId: null, product: 'CLOUD_API' },
      ++s.wamidSeq,
    );
    const msg: WebhookInboundMessage = {
      ...(contextWamid
        ? { context: { from: displayDigits(phone.displayPhoneNumber), id: contextWamid } }
        : {}),
      ...(bsuidOnly ? {} : { from }),
      from_user_id: bsuidOf(from),
      id: wamid,
      timestamp: String(Math.floor(s.clock.nowMs() / 1000)),
      type: 'text' in content ? 'text' : 'button',
      ...('text' in content ? { text: { body: content.text } } : { button: content.button }),
    };
    this.inbound(phone, from, msg, bsuidOnly);
    return wamid;
  }

  /** A `messages` webhook carrying one message from `from` (by BSUID only for a username user). */
  private inbound(
    phone: SandboxPhoneNumber,
    from: string,
    msg: WebhookInboundMessage,
    bsuidOnly: boolean,
  ): void {
    this.webhooks.change(
      phone.wabaId,
      {
        field: 'messages',
        value: messagesValue(this.meta(phone), {
          contacts: [
            {
              profile: { name: `User ${from.slice(-4)}` },
              ...(bsuidOnly ? {} : { wa_id: from }),
              user_id: bsuidOf(from),
            },
          ],
          messages: [msg],
        }),
      },
      false,
      this.state.clock.nowMs(),
    );
  }

  /**
   * A user clicks a link in a marketing message sent from `phone` (MMLITE §4.7): a `user_actions`
   * webhook naming no wamid and no recipient; `copies` > 1 is Meta's redelivery of it.
   */
  linkClick(phone: SandboxPhoneNumber, action: WebhookUserAction, copies: number): void {
    this.webhooks.change(
      phone.wabaId,
      { field: 'messages', value: messagesValue(this.meta(phone), { user_actions: [action] }) },
      false,
      this.state.clock.nowMs(),
      copies,
    );
  }

  /** The `messages` system message of a changed marketing preference (MMLITE-2026 row 17). */
  systemPreference(
    phone: SandboxPhoneNumber,
    from: string,
    value: 'stop' | 'resume',
    bsuidOnly: boolean,
  ): string {
    const s = this.state;
    const wamid = makeWamid(
      { phoneNumberId: phone.id, recipient: from, templateId: null, product: 'CLOUD_API' },
      ++s.wamidSeq,
    );
    const msg: WebhookInboundMessage = {
      ...(bsuidOnly ? {} : { from }),
      from_user_id: bsuidOf(from),
      id: wamid,
      timestamp: String(Math.floor(s.clock.nowMs() / 1000)),
      type: 'system',
      system: {
        type: 'user_preference_changed',
        marketing: value,
        body:
          value === 'stop'
            ? 'User requested to stop marketing messages'
            : 'User requested to resume marketing messages',
      },
    };
    this.inbound(phone, from, msg, bsuidOnly);
    return wamid;
  }
}
