import { Client } from 'pg';
import { http } from './apps';
import type { Engine } from './engine';

/**
 * What the engine and the sandbox know of recipients the sandbox accepted more than once: its
 * acceptances (time, callback data, wamid), the message row, the statuses of those wamids and
 * when their webhooks reached the journal. Printed by an exactly-once test that fails, so a
 * duplicate seen only on CI can still be explained.
 */
export async function explainDuplicates(e: Engine, waIds: readonly string[]): Promise<string> {
  const db = new Client({ connectionString: e.config.databaseUrl });
  await db.connect();
  try {
    const out: unknown[] = [];
    for (const waId of waIds.slice(0, 5)) {
      const accepted = (await http(e.sandbox.url, 'GET', `/_sandbox/messages?to=${waId}`)).body
        .data as Array<{ wamid: string; acceptedAt: string; bizOpaqueCallbackData: string | null }>;
      const rows = (
        await db.query(
          `SELECT id, status, wamid, attempts, retries, claimed_at, claimed_by, last_request_at,
                  next_attempt_at, sent_at, updated_at
             FROM campaign_messages WHERE phone = $1`,
          [`+${waId}`],
        )
      ).rows;
      const wamids = accepted.map((a) => a.wamid);
      const statuses = (
        await db.query(
          `SELECT wamid, status, callback_data, recipient_id, last_event_id, created_at, updated_at
             FROM message_statuses WHERE wamid = ANY($1)`,
          [wamids],
        )
      ).rows;
      const events = (
        await db.query(
          `SELECT id, received_at, processed_at, attempts, error
             FROM webhook_events WHERE position(convert_to($1, 'UTF8') in body) > 0`,
          [waId],
        )
      ).rows;
      out.push({
        waId,
        accepted: accepted.map((a) => ({
          wamid: a.wamid,
          at: a.acceptedAt,
          callback: a.bizOpaqueCallbackData,
        })),
        rows,
        statuses,
        events,
      });
    }
    const counters = (await http(e.sandbox.url, 'GET', '/_sandbox/counters')).body as {
      wire: unknown;
      webhooks: unknown;
    };
    return JSON.stringify(
      { wire: counters.wire, webhooks: counters.webhooks, recipients: out },
      null,
      1,
    );
  } finally {
    await db.end();
  }
}
