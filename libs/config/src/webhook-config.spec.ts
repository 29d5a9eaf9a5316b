import { loadConfig } from './load-config';

const base = { APP_SECRET: 'app-secret-123', WEBHOOK_VERIFY_TOKEN: 'verify-me', NODE_ENV: 'test' };

describe('webhook configuration', () => {
  it('defaults the opt-out keywords, the opt-out button and the batch sizes', () => {
    expect(loadConfig(base).webhook).toMatchObject({
      stopKeywords: ['STOP', 'UNSUBSCRIBE'],
      optOutButtons: ['Stop promotions'],
      batchSize: 500,
      workerConcurrency: 2,
    });
  });

  it('reads comma-separated lists, ignoring blanks', () => {
    const config = loadConfig({
      ...base,
      WEBHOOK_STOP_KEYWORDS: 'STOP, PARAR ,,BAJA',
      WEBHOOK_OPT_OUT_BUTTONS: 'Stop promotions,Parar promoções',
    });
    expect(config.webhook.stopKeywords).toEqual(['STOP', 'PARAR', 'BAJA']);
    expect(config.webhook.optOutButtons).toEqual(['Stop promotions', 'Parar promoções']);
  });

  it('rejects a batch size out of range', () => {
    expect(() => loadConfig({ ...base, WEBHOOK_BATCH_SIZE: '0' })).toThrow(/WEBHOOK_BATCH_SIZE/);
  });
});
