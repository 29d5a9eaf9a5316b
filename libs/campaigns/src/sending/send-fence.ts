import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { ConsentFence } from '@app/consents';
import { LuaScript, REDIS } from '@app/redis';
import { CampaignStateService } from '../campaign-state.service';

export type FenceVerdict = 'go' | 'stopped' | 'opted-out';

// One round trip per request: the campaign's stop fence, then the workspace's opt-out fence.
const CHECK = new LuaScript(
  'send-fence',
  `if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
   if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 2 end
   return 0`,
);

/**
 * Asked right before each request leaves (SendGate's gate): has the campaign been paused or
 * cancelled, or the contact opted out, since the batch was claimed? Both fences are written before
 * the pause/cancel/opt-out is answered, so nothing leaves after the answer.
 */
@Injectable()
export class SendFence {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly state: CampaignStateService,
    private readonly consents: ConsentFence,
  ) {}

  async check(campaignId: string, workspaceId: string, phone: string): Promise<FenceVerdict> {
    const r = (await CHECK.run(
      this.redis,
      [this.state.stopKey(campaignId), this.consents.key(workspaceId)],
      [phone],
    )) as number;
    return r === 1 ? 'stopped' : r === 2 ? 'opted-out' : 'go';
  }
}
