import type { SandboxWaba } from './sandbox-state';
import { SandboxGraphError } from './graph-error';

/** Meta answers 190 for a missing, malformed or foreign token. */
export function assertToken(waba: SandboxWaba, authorization: string | undefined): void {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token || !waba.accessTokens.has(token)) {
    throw SandboxGraphError.invalidToken();
  }
}
