import { createHmac } from 'node:crypto';
import { isValidWebhookSignature, signWebhookBody } from './signature';

describe('webhook signature', () => {
  it('matches the SDK doctest: HMAC_SHA256("test", key "secret")', () => {
    expect(signWebhookBody('test', 'secret')).toBe(
      'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
    );
  });

  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const good = signWebhookBody(body, 'app-secret');

  it('accepts the signature of the exact bytes', () => {
    expect(isValidWebhookSignature(body, good, 'app-secret')).toBe(true);
    expect(
      isValidWebhookSignature(body, good.toUpperCase().replace('SHA256=', 'sha256='), 'app-secret'),
    ).toBe(true);
  });

  it('refuses a missing, malformed or foreign signature', () => {
    expect(isValidWebhookSignature(body, undefined, 'app-secret')).toBe(false);
    expect(isValidWebhookSignature(body, '', 'app-secret')).toBe(false);
    expect(isValidWebhookSignature(body, good.slice(7), 'app-secret')).toBe(false);
    expect(isValidWebhookSignature(body, 'sha256=abc', 'app-secret')).toBe(false);
    expect(isValidWebhookSignature(body, [good, good], 'app-secret')).toBe(false);
    expect(isValidWebhookSignature(body, good, 'other-secret')).toBe(false);
    const sha1 = 'sha1=' + createHmac('sha1', 'app-secret').update(body).digest('hex');
    expect(isValidWebhookSignature(body, sha1, 'app-secret')).toBe(false);
  });

  it('refuses a body altered by one byte, or re-serialized', () => {
    const altered = Buffer.from(body);
    altered[10] = altered[10]! ^ 1;
    expect(isValidWebhookSignature(altered, good, 'app-secret')).toBe(false);
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(isValidWebhookSignature(reformatted, good, 'app-secret')).toBe(false);
  });
});
