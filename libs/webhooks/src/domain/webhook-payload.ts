// Defensive parsing of Meta's webhook envelope (MMLITE §3.7, §4.4–4.7, §8) from raw bytes into
// normalized items. Nothing here throws on bad input: whatever cannot be understood is counted as
// a problem and the payload is flagged, because the raw bytes are already stored and Meta must get
// its 200 either way.
import { createHash } from 'node:crypto';
import type {
  MetaClickComponent,
  MetaLinkClick,
  StatusError,
  StatusEvent,
  StatusPricing,
} from '@app/campaigns';
import { fromWaId } from '@app/common';
import { WEBHOOK_STATUS_VALUES, type WebhookStatusValue } from '@app/graph-contract';
import { optOutReasonOf, type CompiledOptOutRules, type OptOutReason } from './opt-out';

export interface InboundMessage {
  wamid: string;
  /** The sender's phone digits; null for a username user Meta names by BSUID only. */
  from: string | null;
  /** BSUID (`from_user_id`, or `contacts[].user_id`) when Meta sends one. */
  fromUserId: string | null;
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  at: Date;
  type: string;
  /** Typed text (`text.body`). */
  text: string | null;
  /** Button payload (`button.payload`, `interactive.button_reply.id`, `list_reply.id`). */
  buttonPayload: string | null;
  /** Button label (`button.text`, `…_reply.title`). */
  buttonText: string | null;
  /** The message this one answers; for a quick-reply tap, the template message's wamid. */
  contextWamid: string | null;
  isOptOut: boolean;
  optOutReason: OptOutReason | null;
  /** A quick-reply (or interactive button) tap answering one of our messages. */
  isButtonClick: boolean;
  /** The message object exactly as Meta sent it: the proof an opt-out ledger keeps. */
  raw: unknown;
  eventId: string;
}

export type TemplateEventKind = 'status' | 'quality' | 'category' | 'components';

export interface TemplateEvent {
  kind: TemplateEventKind;
  /** Meta's `message_template_id` as a string (it arrives as a number). */
  templateId: string;
  templateName: string | null;
  /** Language with `-` normalized to `_` (`en-US` → `en_US`, MMLITE §10.13). */
  language: string | null;
  wabaId: string | null;
  /** status: `event` (APPROVED, PAUSED, …). */
  event: string | null;
  reason: string | null;
  previousQuality: string | null;
  newQuality: string | null;
  previousCategory: string | null;
  newCategory: string | null;
  correctCategory: string | null;
  /** Set on the impending (24 h notice) form of a category update. */
  categoryUpdateAt: Date | null;
  occurredAt: Date | null;
  raw: unknown;
  /** Same change delivered twice (retries, several subscribed apps) → same key. */
  dedupeKey: string;
  eventId: string;
}

export interface UserPreferenceEvent {
  /** Phone digits; null when Meta names the user by BSUID only. */
  waId: string | null;
  /** BSUID (`user_id`), when Meta sends one. */
  userId: string | null;
  category: string | null;
  /** `stop` | `resume` (others, e.g. `signup`, passed on as they come). */
  value: string;
  detail: string | null;
  at: Date | null;
  phoneNumberId: string | null;
  wabaId: string | null;
  raw: unknown;
  dedupeKey: string;
  eventId: string;
}

export interface ParsedWebhook {
  /** Not JSON, or not the `{object, entry[]}` envelope. */
  malformed: boolean;
  /** Something in it was not understood (unknown field, status value, item shape). */
  unknown: boolean;
  /** What was wrong, first few only. */
  problems: string[];
  statuses: StatusEvent[];
  inbound: InboundMessage[];
  templateEvents: TemplateEvent[];
  userPreferences: UserPreferenceEvent[];
  /** Meta's link clicks (`user_actions` of type `marketing_messages_link_click`). */
  userActions: MetaLinkClick[];
  /** Understood but not consumed by the engine (account updates, async errors …). */
  ignored: number;
}

const MAX_PROBLEMS = 10;

/** Fields we recognise but do not act on (yet); they are not "unknown". */
const IGNORED_FIELDS = new Set([
  'account_update',
  'account_alerts',
  'account_review_update',
  'business_capability_update',
  'phone_number_quality_update',
  'phone_number_name_update',
  'security',
  'tracking_events',
]);

type Json = Record<string, unknown>;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text Postgres can store. NUL is the one character its text and jsonb refuse: it is kept as the
 * six characters `\u0000` (visible, and the rest of the user's text unchanged). A lone UTF-16
 * surrogate has no UTF-8 form: it becomes U+FFFD, as an invalid byte already does when decoded.
 */
export function storableText(s: string): string {
  return s.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * The only way a NUL or a lone surrogate gets into parsed JSON: an escape (`\u0000`,
 * `\uD800`–`\uDFFF`). Raw NUL is not valid JSON, and decoding UTF-8 never yields a surrogate.
 * Without one (nearly every payload), the slow reviver is skipped.
 */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** JSON.parse reviver: every string (and every key) of the payload made storable. */
function storable(_key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    return storableText(value);
  }
  if (isRecord(value) && Object.keys(value).some((k) => storableText(k) !== k)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), v]));
  }
  return value;
}

function isStatusValue(v: unknown): v is WebhookStatusValue {
  return typeof v === 'string' && (WEBHOOK_STATUS_VALUES as readonly string[]).includes(v);
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  if (typeof v === 'string') {
    return v.length > 0 ? v : null;
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    return String(v);
  }
  return null;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Unix seconds as a string ("1750030073") or an integer → Date; null when absent or nonsense. */
function unixSeconds(v: unknown): Date | null {
  const n = typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > 1e11) {
    return null;
  }
  return new Date(n * 1000);
}

function dedupeKey(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

class Collector {
  readonly out: ParsedWebhook = {
    malformed: false,
    unknown: false,
    problems: [],
    statuses: [],
    inbound: [],
    templateEvents: [],
    userPreferences: [],
    userActions: [],
    ignored: 0,
  };

  constructor(
    readonly eventId: string,
    readonly rules: CompiledOptOutRules,
  ) {}

  problem(text: string, kind: 'malformed' | 'unknown' = 'unknown'): void {
    this.out[kind] = true;
    if (this.out.problems.length < MAX_PROBLEMS) {
      // The text may quote the payload (a JSON.parse message does), NUL bytes and all.
      this.out.problems.push(storableText(text));
    }
  }
}

/**
 * The WhatsApp Business Account ids a payload is about (its entries' ids), which say whose it
 * is: a workspace sees a failed event only when it holds one of them. Never throws.
 */
export function wabaIdsOf(body: Buffer): string[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const ids = arr(isRecord(json) ? json.entry : null)
    .map((e) => (isRecord(e) ? str(e.id) : null))
    .filter((id): id is string => id !== null && /^[0-9]{1,30}$/.test(id));
  return [...new Set(ids)];
}

/** Parses the raw body of one webhook POST. Never throws. */
export function parseWebhookBody(
  body: Buffer,
  eventId: string,
  rules: CompiledOptOutRules,
): ParsedWebhook {
  const c = new Collector(eventId, rules);
  let json: unknown;
  try {
    const text = body.toString('utf8');
    json = UNSTORABLE_ESCAPE.test(text) ? JSON.parse(text, storable) : JSON.parse(text);
  } catch (e) {
    c.problem(`not JSON: ${e instanceof Error ? e.message : String(e)}`, 'malformed');
    return c.out;
  }
  if (!isRecord(json) || !Array.isArray(json.entry)) {
    c.problem('not a webhook envelope: expected {object, entry[]}', 'malformed');
    return c.out;
  }
  if (json.object !== 'whatsapp_business_account') {
    c.problem(`unknown object ${JSON.stringify(json.object)}`);
  }
  json.entry.forEach((entry, i) => {
    if (!isRecord(entry)) {
      c.problem(`entry[${i}] is not an object`);
      return;
    }
    const wabaId = str(entry.id);
    const entryTime = unixSeconds(entry.time);
    arr(entry.changes).forEach((change, j) => {
      const where = `entry[${i}].changes[${j}]`;
      if (!isRecord(change) || !isRecord(change.value) || typeof change.field !== 'string') {
        c.problem(`${where} has no field/value`);
        return;
      }
      parseChange(c, where, change.field, change.value, wabaId, entryTime);
    });
  });
  return c.out;
}

function parseChange(
  c: Collector,
  where: string,
  field: string,
  value: Json,
  wabaId: string | null,
  entryTime: Date | null,
): void {
  switch (field) {
    case 'messages':
      return parseMessagesValue(c, where, value, wabaId);
    case 'user_preferences':
      return parseUserPreferences(c, where, value, wabaId);
    case 'message_template_status_update':
      return pushTemplate(c, where, 'status', value, wabaId, entryTime);
    case 'message_template_quality_update':
      return pushTemplate(c, where, 'quality', value, wabaId, entryTime);
    case 'template_category_update':
      return pushTemplate(c, where, 'category', value, wabaId, entryTime);
    case 'message_template_components_update':
      return pushTemplate(c, where, 'components', value, wabaId, entryTime);
    default:
      if (IGNORED_FIELDS.has(field)) {
        c.out.ignored += 1;
      } else {
        c.problem(`${where}: unknown field ${JSON.stringify(field)}`);
      }
  }
}

interface MessagesMetadata {
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  wabaId: string | null;
}

function parseMessagesValue(c: Collector, where: string, value: Json, wabaId: string | null): void {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const meta: MessagesMetadata = {
    phoneNumberId: str(metadata.phone_number_id),
    displayPhoneNumber: str(metadata.display_phone_number),
    wabaId,
  };
  arr(value.statuses).forEach((s, k) => parseStatus(c, `${where}.statuses[${k}]`, s, meta));
  const userIds = new Map<string, string>();
  for (const contact of arr(value.contacts)) {
    if (isRecord(contact) && str(contact.wa_id) && str(contact.user_id)) {
      userIds.set(str(contact.wa_id) as string, str(contact.user_id) as string);
    }
  }
  const onlyContact = arr(value.contacts).length === 1 ? arr(value.contacts)[0] : null;
  const soleUserId = isRecord(onlyContact) ? str(onlyContact.user_id) : null;
  arr(value.messages).forEach((m, k) =>
    parseInbound(c, `${where}.messages[${k}]`, m, meta, userIds, soleUserId),
  );
  arr(value.user_actions).forEach((a, k) =>
    parseUserAction(c, `${where}.user_actions[${k}]`, a, meta),
  );
  // Asynchronous errors are understood but not consumed here.
  c.out.ignored += arr(value.errors).length;
}

/**
 * An MM link click (MMLITE §4.7). It carries no wamid and no recipient: only the number, the time,
 * Meta's click id and a tracking token. Without click data, a click id or a time it is flagged
 * and skipped; an unknown component is flagged and the click kept without one.
 */
function parseUserAction(c: Collector, where: string, a: unknown, meta: MessagesMetadata): void {
  if (!isRecord(a)) {
    c.problem(`${where} is not an object`);
    return;
  }
  if (a.action_type !== 'marketing_messages_link_click') {
    c.problem(`${where}: unknown action_type ${JSON.stringify(a.action_type)}`);
    return;
  }
  const data = a.marketing_messages_link_click_data;
  const clickId = isRecord(data) ? str(data.click_id) : null;
  const at = unixSeconds(a.timestamp);
  if (!isRecord(data) || !clickId || !at || !meta.phoneNumberId) {
    c.problem(`${where} lacks click data, click_id, timestamp or metadata.phone_number_id`);
    return;
  }
  const given = str(data.click_component);
  const component: MetaClickComponent | null = given === 'cta' || given === 'body' ? given : null;
  if (given !== null && component === null) {
    c.problem(`${where}: unknown click_component ${JSON.stringify(given)}`);
  }
  c.out.userActions.push({
    phoneNumberId: meta.phoneNumberId,
    at,
    component,
    productId: str(data.product_id),
    clickId,
    trackingToken: str(data.tracking_token),
    eventId: c.eventId,
  });
}

function parseStatus(c: Collector, where: string, s: unknown, meta: MessagesMetadata): void {
  if (!isRecord(s)) {
    c.problem(`${where} is not an object`);
    return;
  }
  const wamid = str(s.id);
  const at = unixSeconds(s.timestamp);
  if (!wamid || !at) {
    c.problem(`${where} lacks id or timestamp`);
    return;
  }
  if (!isStatusValue(s.status)) {
    c.problem(`${where}: unknown status ${JSON.stringify(s.status)}`);
    return;
  }
  const firstError = arr(s.errors).find(isRecord);
  const error: StatusError | null = firstError
    ? {
        code:
          typeof firstError.code === 'number' ? firstError.code : Number(firstError.code) || null,
        title: str(firstError.title),
        message: str(firstError.message),
        details: isRecord(firstError.error_data) ? str(firstError.error_data.details) : null,
      }
    : null;
  const p = isRecord(s.pricing) ? s.pricing : null;
  const pricing: StatusPricing | null = p
    ? {
        // The docs spell one category two ways (MMLITE §10.10); keep one.
        category:
          str(p.category)?.replace(
            'authentication-international',
            'authentication_international',
          ) ?? null,
        type: str(p.type),
        model: str(p.pricing_model),
        billable: typeof p.billable === 'boolean' ? p.billable : null,
      }
    : null;
  c.out.statuses.push({
    wamid,
    status: s.status,
    at,
    recipientId: str(s.recipient_id),
    recipientUserId: str(s.recipient_user_id),
    callbackData: str(s.biz_opaque_callback_data),
    phoneNumberId: meta.phoneNumberId,
    wabaId: meta.wabaId,
    error,
    pricing,
    eventId: c.eventId,
  });
}

function parseInbound(
  c: Collector,
  where: string,
  m: unknown,
  meta: MessagesMetadata,
  userIds: ReadonlyMap<string, string>,
  soleUserId: string | null,
): void {
  if (!isRecord(m)) {
    c.problem(`${where} is not an object`);
    return;
  }
  const wamid = str(m.id);
  const from = str(m.from);
  // Since 2026 a username user may come with a BSUID only (`from_user_id`, MMLITE-2026 row 19).
  const fromUserId = str(m.from_user_id) ?? (from ? userIds.get(from) : soleUserId) ?? null;
  const at = unixSeconds(m.timestamp);
  const type = str(m.type);
  if (!wamid || !(from || fromUserId) || !at || !type) {
    c.problem(`${where} lacks id, from (or from_user_id), timestamp or type`);
    return;
  }
  if (type === 'system' && isRecord(m.system) && m.system.type === 'user_preference_changed') {
    pushSystemPreference(c, where, m, m.system, { from, fromUserId, at, wamid }, meta);
    return;
  }
  let text: string | null = null;
  let buttonPayload: string | null = null;
  let buttonText: string | null = null;
  if (type === 'text' && isRecord(m.text)) {
    text = typeof m.text.body === 'string' ? m.text.body : null;
  } else if (type === 'button' && isRecord(m.button)) {
    buttonPayload = str(m.button.payload);
    buttonText = str(m.button.text);
  } else if (type === 'interactive' && isRecord(m.interactive)) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (isRecord(reply)) {
      buttonPayload = str(reply.id);
      buttonText = str(reply.title);
    }
  }
  const context = isRecord(m.context) ? m.context : null;
  const contextWamid = context ? str(context.id) : null;
  const optOutReason = optOutReasonOf({ text, buttonPayload, buttonText }, c.rules);
  const isButton =
    type === 'button' ||
    (type === 'interactive' && isRecord(m.interactive) && m.interactive.type === 'button_reply');
  c.out.inbound.push({
    wamid,
    from,
    fromUserId,
    phoneNumberId: meta.phoneNumberId,
    displayPhoneNumber: meta.displayPhoneNumber,
    wabaId: meta.wabaId,
    at,
    type,
    text,
    buttonPayload,
    buttonText,
    contextWamid,
    isOptOut: optOutReason !== null,
    optOutReason,
    isButtonClick: isButton && contextWamid !== null,
    raw: m,
    eventId: c.eventId,
  });
}

function parseUserPreferences(
  c: Collector,
  where: string,
  value: Json,
  wabaId: string | null,
): void {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const phoneNumberId = str(metadata.phone_number_id);
  arr(value.user_preferences).forEach((p, k) => {
    const at = `${where}.user_preferences[${k}]`;
    if (!isRecord(p) || !(str(p.wa_id) || str(p.user_id)) || !str(p.value)) {
      c.problem(`${at} lacks wa_id (or user_id) or value`);
      return;
    }
    const waId = str(p.wa_id);
    const userId = str(p.user_id);
    const prefValue = (str(p.value) as string).toLowerCase();
    const category = str(p.category);
    const when = unixSeconds(p.timestamp);
    c.out.userPreferences.push({
      waId,
      userId,
      category,
      value: prefValue,
      detail: str(p.detail),
      at: when,
      phoneNumberId,
      wabaId,
      raw: p,
      dedupeKey: dedupeKey(
        'user_preferences',
        phoneNumberId,
        waId ?? userId,
        category,
        prefValue,
        p.timestamp,
      ),
      eventId: c.eventId,
    });
  });
}

/** `stop…`/`resum…` in whatever form Meta writes it; null for anything else. */
function preferenceValue(v: unknown): 'stop' | 'resume' | null {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  return s.startsWith('stop') ? 'stop' : s.startsWith('resum') ? 'resume' : null;
}

/**
 * The second opt-out shape (MMLITE-2026 row 17): a `messages` system message of type
 * `user_preference_changed` carrying the marketing preference. Taken as a user-preferences event,
 * keyed by its wamid, so both shapes reach the ledger the same way.
 */
function pushSystemPreference(
  c: Collector,
  where: string,
  m: Json,
  system: Json,
  who: { from: string | null; fromUserId: string | null; at: Date; wamid: string },
  meta: MessagesMetadata,
): void {
  const value = preferenceValue(system.marketing ?? system.value);
  if (!value) {
    c.problem(`${where}: user_preference_changed without a stop/resume marketing value`);
    return;
  }
  c.out.userPreferences.push({
    waId: who.from,
    userId: who.fromUserId,
    category: 'marketing_messages',
    value,
    detail: str(system.body),
    at: who.at,
    phoneNumberId: meta.phoneNumberId,
    wabaId: meta.wabaId,
    raw: m,
    dedupeKey: dedupeKey('system_preference', meta.phoneNumberId, who.wamid),
    eventId: c.eventId,
  });
}

function pushTemplate(
  c: Collector,
  where: string,
  kind: TemplateEventKind,
  v: Json,
  wabaId: string | null,
  entryTime: Date | null,
): void {
  const templateId = str(v.message_template_id);
  if (!templateId) {
    c.problem(`${where}: template update without message_template_id`);
    return;
  }
  c.out.templateEvents.push({
    kind,
    templateId,
    templateName: str(v.message_template_name),
    language: str(v.message_template_language)?.replace(/-/g, '_') ?? null,
    wabaId,
    event: str(v.event),
    reason: str(v.reason),
    previousQuality: str(v.previous_quality_score),
    newQuality: str(v.new_quality_score),
    previousCategory: str(v.previous_category),
    newCategory: str(v.new_category),
    correctCategory: str(v.correct_category),
    categoryUpdateAt: unixSeconds(v.category_update_timestamp),
    occurredAt: entryTime,
    raw: v,
    dedupeKey: dedupeKey(kind, wabaId, v, entryTime?.getTime() ?? null),
    eventId: c.eventId,
  });
}

/**
 * Someone who just opted out, as a webhook names them: the Meta number written to, and the E.164
 * phone, or only the BSUID for a username user Meta sent without a phone.
 */
export interface IngestOptOut {
  phoneNumberId: string | null;
  phone: string | null;
  userId: string | null;
}

/** Cheap test before a full parse at ingest: only these payloads can carry an opt-out. */
const MAY_OPT_OUT = /"from"|"from_user_id"|user_preference|131050/;

const phoneOrNull = (waId: string | null): string | null => (waId ? fromWaId(waId) : null);

/**
 * The opt-outs a payload carries (STOP keyword or opt-out button, a user-preferences stop, a
 * failed status with 131050), found at ingest so they can be fenced before Meta gets its 200.
 * The worker applies the same payload to the ledger later; this only has to be fast and safe.
 */
export function optOutsAtIngest(body: Buffer, rules: CompiledOptOutRules): IngestOptOut[] {
  if (!MAY_OPT_OUT.test(body.toString('latin1'))) {
    return [];
  }
  const p = parseWebhookBody(body, '0', rules);
  return [
    ...p.inbound
      .filter((m) => m.isOptOut)
      .map((m) => ({
        phoneNumberId: m.phoneNumberId,
        phone: phoneOrNull(m.from),
        userId: m.fromUserId,
      })),
    ...p.userPreferences
      .filter((u) => u.value === 'stop')
      .map((u) => ({
        phoneNumberId: u.phoneNumberId,
        phone: phoneOrNull(u.waId),
        userId: u.userId,
      })),
    ...p.statuses
      .filter(
        (s) =>
          s.status === 'failed' && s.error?.code === 131050 && (s.recipientId || s.recipientUserId),
      )
      .map((s) => ({
        phoneNumberId: s.phoneNumberId,
        phone: phoneOrNull(s.recipientId),
        userId: s.recipientUserId,
      })),
  ];
}
