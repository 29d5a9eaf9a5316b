import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { asWorkspaceId, type WorkspaceId } from '@app/common';
import { ConsentsService } from '@app/consents';
import { queryRows } from '@app/db';

/**
 * Meta's word that a recipient stopped marketing messages (131050) is an authoritative opt-out:
 * it goes into the consent ledger of every workspace that sends from that number, in the
 * caller's transaction.
 */
@Injectable()
export class OptOutRecorder {
  constructor(private readonly consents: ConsentsService) {}

  async record(em: EntityManager, ws: WorkspaceId, phones: string[], proof: string): Promise<void> {
    if (phones.length === 0) {
      return;
    }
    await this.consents.recordMany(
      ws,
      [...new Set(phones)].map((phone) => ({
        phone,
        status: 'opted_out' as const,
        source: 'whatsapp_131050',
        proof,
        recordedBy: { kind: 'webhook' as const, id: null },
      })),
      em,
    );
  }

  async recordByRecipient(
    em: EntityManager,
    items: ReadonlyArray<{ phoneNumberId: string | null; recipient: string; proof: string }>,
  ): Promise<void> {
    const numbers = [...new Set(items.map((i) => i.phoneNumberId).filter((x): x is string => !!x))];
    const owners = await queryRows<{ workspace_id: string; phone_number_id: string }>(
      em,
      `SELECT DISTINCT workspace_id, phone_number_id FROM phone_numbers WHERE phone_number_id = ANY($1::text[])`,
      [numbers],
    );
    const byWorkspace = new Map<string, Array<{ phone: string; proof: string }>>();
    for (const o of owners) {
      for (const i of items.filter((x) => x.phoneNumberId === o.phone_number_id)) {
        const list =
          byWorkspace.get(o.workspace_id) ??
          byWorkspace.set(o.workspace_id, []).get(o.workspace_id)!;
        list.push({ phone: `+${i.recipient.replace(/^\+/, '')}`, proof: i.proof });
      }
    }
    for (const [ws, list] of byWorkspace) {
      await this.consents.recordMany(
        asWorkspaceId(ws),
        list.map((x) => ({
          phone: x.phone,
          status: 'opted_out' as const,
          source: 'whatsapp_131050',
          proof: x.proof,
          recordedBy: { kind: 'webhook' as const, id: null },
        })),
        em,
      );
    }
  }
}
