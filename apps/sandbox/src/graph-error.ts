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

/** Titles of the asynchronous errors the sandbox reports in failed statuses (§4.5, §5.2). */
export const ASYNC_ERRORS: Readonly<Record<number, { title: string; details: string }>> = {
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
