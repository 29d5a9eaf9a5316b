// Meta-shaped webhook payloads (MMLITE §4.4–4.6, §3.7, §8) for the e2e tests and the load generator.

export const WABA_ID = '100000000000001';
export const PHONE_NUMBER_ID = '100000000000002';
const DISPLAY_PHONE = '15550783881';

export interface StatusSpec {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Unix seconds. */
  at: number;
  recipient?: string;
  callbackData?: string;
  errorCode?: number;
}

function envelope(field: string, value: unknown, time?: number): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: WABA_ID, ...(time ? { time } : {}), changes: [{ field, value }] }],
  };
}

const metadata = { display_phone_number: DISPLAY_PHONE, phone_number_id: PHONE_NUMBER_ID };

export function statusPayload(statuses: readonly StatusSpec[]): Record<string, unknown> {
  return envelope('messages', {
    messaging_product: 'whatsapp',
    metadata,
    statuses: statuses.map((s) => ({
      id: s.wamid,
      status: s.status,
      timestamp: String(s.at),
      recipient_id: s.recipient ?? '447700900123',
      ...(s.callbackData ? { biz_opaque_callback_data: s.callbackData } : {}),
      ...(s.status === 'sent' || s.status === 'delivered'
        ? {
            pricing: {
              billable: true,
              pricing_model: 'PMP',
              type: 'regular',
              category: 'marketing_lite',
            },
          }
        : {}),
      ...(s.status === 'failed'
        ? {
            errors: [
              {
                code: s.errorCode ?? 131049,
                title: 'This message was not delivered to maintain healthy ecosystem engagement.',
                message: 'This message was not delivered to maintain healthy ecosystem engagement.',
                error_data: { details: 'In order to maintain a healthy ecosystem engagement.' },
                href: '/documentation/business-messaging/whatsapp/support/error-codes',
              },
            ],
          }
        : {}),
    })),
  });
}

export interface InboundSpec {
  wamid: string;
  from: string;
  at: number;
  text?: string;
  button?: { payload: string; text: string };
  contextWamid?: string;
}

export function inboundPayload(messages: readonly InboundSpec[]): Record<string, unknown> {
  return envelope('messages', {
    messaging_product: 'whatsapp',
    metadata,
    contacts: messages.map((m) => ({ profile: { name: 'Test User' }, wa_id: m.from })),
    messages: messages.map((m) => ({
      ...(m.contextWamid ? { context: { from: DISPLAY_PHONE, id: m.contextWamid } } : {}),
      from: m.from,
      id: m.wamid,
      timestamp: String(m.at),
      ...(m.button
        ? { type: 'button', button: m.button }
        : { type: 'text', text: { body: m.text ?? '' } }),
    })),
  });
}

export function templateStatusPayload(
  templateId: number,
  event: string,
  time: number,
): Record<string, unknown> {
  return envelope(
    'message_template_status_update',
    {
      event,
      message_template_id: templateId,
      message_template_name: 'spring_sale',
      message_template_language: 'en-US',
      reason: event === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE',
      message_template_category: 'MARKETING',
    },
    time,
  );
}

export function userPreferencePayload(
  waId: string,
  value: 'stop' | 'resume',
  timestamp: number,
): Record<string, unknown> {
  return envelope('user_preferences', {
    messaging_product: 'whatsapp',
    metadata,
    contacts: [{ wa_id: waId }],
    user_preferences: [
      {
        wa_id: waId,
        detail: 'User requested to stop marketing messages',
        category: 'marketing_messages',
        value,
        timestamp,
      },
    ],
  });
}
