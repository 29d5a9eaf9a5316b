import type { GraphErrorBody } from '@app/graph-contract';
import { randomBytes } from 'node:crypto';

/** An error the sandbox answers exactly as Meta would (MMLITE.md §5.1). */
export class SandboxGraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly details?: string,
    readonly type = 'OAuthException',
    readonly subcode?: number,
  ) {
    super(message);
  }

  toBody(): GraphErrorBody {
    return {
      error: {
        message: `(#${this.code}) ${this.message}`,
        type: this.type,
        code: this.code,
        ...(this.details
          ? { error_data: { messaging_product: 'whatsapp', details: this.details } }
          : {}),
        ...(this.subcode !== undefined ? { error_subcode: this.subcode } : {}),
        fbtrace_id: randomBytes(12).toString('base64url'),
      },
    };
  }

  static invalidToken(): SandboxGraphError {
    return new SandboxGraphError(
      401,
      190,
      'Invalid OAuth access token - Cannot parse access token',
    );
  }

  static unknownObject(id: string, method = 'get'): SandboxGraphError {
    return new SandboxGraphError(
      400,
      100,
      `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    );
  }

  static invalidParameter(details: string): SandboxGraphError {
    return new SandboxGraphError(400, 100, 'Invalid parameter', details);
  }
}

/**
 * Synchronous send errors the control API can make the sandbox answer (`POST /_sandbox/errors`),
 * with Meta's HTTP status, title and details (§5.2, MMLITE-2026 row 16).
 */
export const INJECTABLE_SYNC_ERRORS: Readonly<
  Record<number, { httpStatus: number; title: string; details: string }>
> = {
  130429: {
    httpStatus: 400,
    title: 'Rate limit hit',
    details: 'Cloud API message throughput has been reached.',
  },
  131000: { httpStatus: 500, title: 'Something went wrong', details: 'Unknown error.' },
  131061: {
    httpStatus: 400,
    title: 'Cloud API does not support templates with bid_spec',
    details: 'Send templates with a max price through /marketing_messages.',
  },
  131062: {
    httpStatus: 400,
    title: 'Business-scoped user id recipients are not supported for this message',
    details: 'Send this template by phone number.',
  },
  131063: {
    httpStatus: 400,
    title: 'Marketing messages are disabled on Cloud API',
    details: 'This WABA has disabled marketing template messages on Cloud API.',
  },
  131064: {
    httpStatus: 400,
    title: 'Messaging limit reached due to template classification violations',
    details: 'The account is limited while a template classification enforcement is active.',
  },
  132015: { httpStatus: 400, title: 'Template is Paused', details: 'The template is paused.' },
  132018: {
    httpStatus: 400,
    title: 'Template validation error',
    details: 'There was an issue with the parameters of the template.',
  },
  134100: {
    httpStatus: 400,
    title: 'Only marketing templates are supported',
    details: 'Send non-marketing templates with /messages.',
  },
  134101: {
    httpStatus: 400,
    title: 'Your template is still syncing',
    details: 'The template is syncing with its ad. Retry in about 10 minutes.',
  },
  134102: {
    httpStatus: 500,
    title: 'Template unavailable',
    details: 'The template is not available for Marketing Messages API for WhatsApp.',
  },
};

/** Titles of the asynchronous errors the sandbox reports in failed statuses (§4.5, §5.2). */
export const ASYNC_ERRORS: Readonly<Record<number, { title: string; details: string }>> = {
  130472: {
    title: "User's number is part of an experiment",
    details: 'Failed to send message because this user is part of a marketing experiment.',
  },
  131026: {
    title: 'Message undeliverable',
    details:
      'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted the new Terms of Service; the recipient is using an old WhatsApp version.',
  },
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details:
      'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131050: {
    title:
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
    details:
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
  },
};
