import { Test } from '@nestjs/testing';
import { FakeClock } from '@app/common';
import { ConfigModule } from '@app/config';
import { RedisModule } from '@app/redis';
import { testConfig } from '@app/testing';
import { ApiRateLimitedError } from './accounts.errors';
import { ApiKeyRateLimit } from './api-key-rate-limit';

/** One "API process": its own Redis client, the shared prefix and clock. */
async function apiProcess(config: ReturnType<typeof testConfig>, clock: FakeClock) {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config, clock), RedisModule],
    providers: [ApiKeyRateLimit],
  }).compile();
  const app = await moduleRef.init();
  return { limit: app.get(ApiKeyRateLimit), close: () => app.close() };
}

async function refusal(p: Promise<void>): Promise<ApiRateLimitedError | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (e instanceof ApiRateLimitedError) {
      return e;
    }
    throw e;
  }
}

describe('ApiKeyRateLimit (real Redis, fake clock)', () => {
  // 20 s into a minute: the window ends in 40 s.
  const clock = new FakeClock(Date.UTC(2030, 0, 1, 12, 0, 20));
  const config = testConfig({ API_RATE_LIMIT_PER_MINUTE: '5' });
  let a: Awaited<ReturnType<typeof apiProcess>>;
  let b: Awaited<ReturnType<typeof apiProcess>>;

  beforeAll(async () => {
    a = await apiProcess(config, clock);
    b = await apiProcess(config, clock);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('shares one count per key across API processes, and says when the minute is over', async () => {
    for (const p of [a, b, a, b, a]) {
      expect(await refusal(p.limit.take('key-1'))).toBeNull();
    }
    const refused = await refusal(b.limit.take('key-1'));
    expect(refused?.retryAfterMs).toBe(40_000);
    expect(refused?.message).toMatch(/more than 5 requests this minute; retry in 40 s/);
    // Another key has its own budget.
    expect(await refusal(a.limit.take('key-2'))).toBeNull();
  });

  it('opens again when the next minute starts', async () => {
    const key = 'key-3';
    for (let i = 0; i < 5; i++) {
      await a.limit.take(key);
    }
    expect(await refusal(a.limit.take(key))).not.toBeNull();
    clock.advance(40_000);
    expect(await refusal(b.limit.take(key))).toBeNull();
  });
});
