import type { AppConfig } from '@app/config';

export interface SandboxPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  throughputLevel: 'STANDARD' | 'HIGH';
  /** Messages per second this number accepts before answering 130429. */
  throughputMps: number;
  messagingLimitTier: string;
}

export interface SandboxWaba {
  id: string;
  name: string;
  accessTokens: Set<string>;
  phoneNumbers: Map<string, SandboxPhoneNumber>;
}

/** Everything the sandbox knows, in memory; the control API reshapes it for tests and demos. */
export class SandboxState {
  readonly wabas = new Map<string, SandboxWaba>();

  constructor(private readonly config: AppConfig['sandbox']) {
    this.reset();
  }

  reset(): void {
    this.wabas.clear();
    this.upsertWaba({
      id: this.config.wabaId,
      name: 'Sandbox WABA',
      accessToken: this.config.accessToken,
      phoneNumbers: [
        {
          id: this.config.phoneNumberId,
          displayPhoneNumber: '+1 555 010 0002',
          verifiedName: 'Sandbox Store',
          throughputMps: 80,
          messagingLimitTier: 'TIER_UNLIMITED',
        },
      ],
    });
  }

  upsertWaba(input: {
    id: string;
    name?: string;
    accessToken: string;
    phoneNumbers?: Array<Partial<SandboxPhoneNumber> & { id: string }>;
  }): SandboxWaba {
    const waba: SandboxWaba = this.wabas.get(input.id) ?? {
      id: input.id,
      name: input.name ?? `WABA ${input.id}`,
      accessTokens: new Set(),
      phoneNumbers: new Map(),
    };
    waba.accessTokens.add(input.accessToken);
    for (const p of input.phoneNumbers ?? []) {
      const mps = p.throughputMps ?? 80;
      waba.phoneNumbers.set(p.id, {
        id: p.id,
        wabaId: waba.id,
        displayPhoneNumber: p.displayPhoneNumber ?? `+1 555 ${p.id.slice(-7)}`,
        verifiedName: p.verifiedName ?? waba.name,
        qualityRating: p.qualityRating ?? 'GREEN',
        throughputLevel: p.throughputLevel ?? (mps > 80 ? 'HIGH' : 'STANDARD'),
        throughputMps: mps,
        messagingLimitTier: p.messagingLimitTier ?? 'TIER_UNLIMITED',
      });
    }
    this.wabas.set(waba.id, waba);
    return waba;
  }
}
