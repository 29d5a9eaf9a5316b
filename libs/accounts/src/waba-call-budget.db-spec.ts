import { Test } from '@nestjs/testing';
import { FakeClock } from '@app/common';
import { ConfigModule } from '@app/config';
import { RedisModule } from '@app/redis';
import { testConfig } from '@app/testing';
import {
  ACTIVE_WABA_CALLS_PER_HOUR,
  GraphBudgetExhaustedError,
  WABA_CALLS_PER_HOUR,
  WabaCallBudget,
} from './waba-call-budget';

describe('WabaCallBudget (real Redis, fake clock)', () => {
  const clock = new FakeClock(Date.UTC(2030, 0, 1));
  let budget: WabaCallBudget;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(), clock), RedisModule],
      providers: [WabaCallBudget],
    }).compile();
    const app = await moduleRef.init();
    budget = app.get(WabaCallBudget);
    close = () => app.close();
  });

  afterAll(async () => {
    await close();
  });

  async function spend(waba: string, n: number, active: boolean): Promise<number> {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      try {
        await budget.take(waba, active);
        ok++;
      } catch (e) {
        if (!(e instanceof GraphBudgetExhaustedError)) {
          throw e;
        }
      }
    }
    return ok;
  }

  it('allows 200 calls an hour for a WABA without numbers and 5,000 for an active one', async () => {
    expect(await spend('waba-new', WABA_CALLS_PER_HOUR + 5, false)).toBe(WABA_CALLS_PER_HOUR);
    expect(ACTIVE_WABA_CALLS_PER_HOUR).toBe(5000);
    expect(await spend('waba-active', 300, true)).toBe(300);
  });

  it('says how long to wait and frees calls as the hour slides', async () => {
    clock.set(Date.UTC(2030, 0, 2));
    await spend('waba-slide', 100, false);
    clock.advance(30 * 60_000);
    await spend('waba-slide', 100, false);
    const refused = await budget.take('waba-slide', false).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphBudgetExhaustedError);
    expect((refused as GraphBudgetExhaustedError).retryAfterMs).toBe(30 * 60_000);
    clock.advance(30 * 60_000 + 1);
    expect(await spend('waba-slide', 100, false)).toBe(100);
  });

  it('honours the back-off Meta asked for after a rate-limit error', async () => {
    await budget.blockFor('waba-blocked', 120_000);
    const refused = await budget.take('waba-blocked', true).catch((e: unknown) => e);
    expect((refused as GraphBudgetExhaustedError).code).toBe('GRAPH_RATE_LIMITED');
    expect((refused as GraphBudgetExhaustedError).retryAfterMs).toBe(120_000);
    clock.advance(120_001);
    await expect(budget.take('waba-blocked', true)).resolves.toBeUndefined();
  });
});
