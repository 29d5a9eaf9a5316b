import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { ConsentFence } from '@app/consents';
import { LuaScript, REDIS } from '@app/redis';
import { CampaignStateService } from '../campaign-state.service';

export type FenceVerdict = 'go' | 'stopped' | 'opted-out';

// One round trip for a group of requests: the campaign's stop fence, then each phone against the
// workspace's opt-out fence.
const CHECK = new LuaScript(
  'send-fence',
  `if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
   local scores = redis.call('ZMSCORE', KEYS[2], unpack(ARGV))
   local out = {}
   for i = 1, #ARGV do out[i] = scores[i] and 2 or 0 end
   return out`,
);

/**
 * Asked just before requests leave (SendGate's gate): has the campaign been paused or cancelled,
 * or a contact opted out, since the batch was claimed? Both fences are written before the pause,
 * cancel or opt-out is answered, and the answer waits FENCE_SETTLE_MS, so nothing leaves after it.
 */
@Injectable()
export class SendFence {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly state: CampaignStateService,
    private readonly consents: ConsentFence,
  ) {}

  async check(
    campaignId: string,
    workspaceId: string,
    phones: readonly string[],
  ): Promise<FenceVerdict[]> {
    if (phones.length === 0) {
      return [];
    }
    const r = (await CHECK.run(
      this.redis,
      [this.state.stopKey(campaignId), this.consents.key(workspaceId)],
      [...phones],
    )) as number[];
    // Per phone the script answers 0 or 2; a lone 1 is the campaign's stop fence.
    if (r[0] === 1) {
      return phones.map(() => 'stopped');
    }
    return r.map((x) => (x === 2 ? 'opted-out' : 'go'));
  }
}
