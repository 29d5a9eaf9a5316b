import type { Job } from 'bull';
import type { CampaignRunner, CampaignSender, LaneData } from '@app/campaigns';
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
      const p = new CampaignsProcessor({} as CampaignRunner, sender);
      const job = { data: { v: 1, campaignId: 'c', lane: 0 } } as Job<LaneData>;
      await expect(p.lane(job)).rejects.toThrow('cannot open the access token');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      await p.beforeApplicationShutdown();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
