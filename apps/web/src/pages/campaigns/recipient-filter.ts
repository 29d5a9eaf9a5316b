import type { MessageStatus } from '../../api/types';

export const MESSAGE_STATUSES: MessageStatus[] = [
  'pending',
  'sending',
  'in_doubt',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
  'cancelled',
  'expired',
];

export const RECIPIENTS_PAGE_SIZE = 50;

export interface RecipientFilter {
  status?: MessageStatus;
  errorCode?: number;
}

/** The recipients filter in a campaign page's query string (so a filtered list is a link). */
export function recipientFilterOf(params: URLSearchParams): RecipientFilter {
  const status = params.get('status');
  const code = params.get('errorCode');
  return {
    ...(status && (MESSAGE_STATUSES as string[]).includes(status)
      ? { status: status as MessageStatus }
      : {}),
    ...(code !== null && /^\d+$/.test(code) ? { errorCode: Number(code) } : {}),
  };
}
