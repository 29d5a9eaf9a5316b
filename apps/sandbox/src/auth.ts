import type { SandboxWaba } from './sandbox-state';
import { SandboxGraphError } from './graph-error';

export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) {
    return null;
  }
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  return m ? (m[1] as string) : null;
}

/** Meta answers 190 for a missing, malformed or foreign token. */
export function assertToken(waba: SandboxWaba, authorization: string | undefined): void {
  const token = bearerToken(authorization);
  if (!token || !waba.accessTokens.has(token)) {
    throw SandboxGraphError.invalidToken();
  }
}
