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

  static unknownObject(id: string): SandboxGraphError {
    return new SandboxGraphError(
      400,
      100,
      `Unsupported request - method type: get. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    );
  }
}
