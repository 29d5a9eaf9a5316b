import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '@app/config';
import type { WebhookEventsListener, WebhookEventsService } from '@app/webhooks';
import { APPLY_COALESCE_MS, WebhookEventProcessor } from './webhook-event.processor';

/** Runs one apply loop for `ms` over a journal whose every claim finds `claimed` events. */
async function claimsWhile(claimed: number, ms: number): Promise<number> {
  let claims = 0;
  const webhooks = {
    processNextBatch: async () => {
      claims++;
      await new Promise((r) => setImmediate(r));
      return { events: claimed, failed: 0, malformed: 0, unknown: 0 };
    },
  } as unknown as WebhookEventsService;
  const listener = {
    generation: 0,
    start: () => undefined,
    wakeAll: () => undefined,
    wait: (t: number) => new Promise<void>((r) => setTimeout(r, t)),
  } as unknown as WebhookEventsListener;
  const config = {
    webhook: { workerConcurrency: 1, batchSize: 500, retentionDays: 30 },
  } as AppConfig;
  const p = new WebhookEventProcessor(webhooks, listener, new SchedulerRegistry(), config);
  p.onApplicationBootstrap();
  await new Promise((r) => setTimeout(r, ms));
  await p.beforeApplicationShutdown();
  return claims;
}

describe('WebhookEventProcessor', () => {
  it('lets a trickling journal fill between claims, and drains a backlog without pausing', async () => {
    // A few events per claim: one claim, then one every APPLY_COALESCE_MS.
    const trickle = await claimsWhile(3, APPLY_COALESCE_MS * 3 + 100);
    expect(trickle).toBeGreaterThanOrEqual(3);
    expect(trickle).toBeLessThanOrEqual(5);
    // Full batches: claimed back to back.
    expect(await claimsWhile(500, 100)).toBeGreaterThan(20);
  });
});
