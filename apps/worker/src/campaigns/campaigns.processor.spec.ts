import type { Job } from 'bull';
import type { CampaignRunner, CampaignSender, LaneData } from '@app/campaigns';
import type { SendGate } from '@app/governor';
import { CampaignsProcessor } from './campaigns.processor';

describe('CampaignsProcessor', () => {
  it('fails the job of a lane that throws, without an unhandled rejection that would kill the worker', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const sender = {
        runLane: () => Promise.reject(new Error('cannot open the access token')),
        stop: () => undefined,
      } as unknown as CampaignSender;
      let flushed = 0;
      const gate = { flushCounts: () => Promise.resolve(void flushed++) } as unknown as SendGate;
      const p = new CampaignsProcessor({} as CampaignRunner, sender, gate);
      const job = { data: { v: 1, campaignId: 'c', lane: 0 } } as Job<LaneData>;
      await expect(p.lane(job)).rejects.toThrow('cannot open the access token');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      await p.beforeApplicationShutdown();
      expect(flushed).toBe(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
