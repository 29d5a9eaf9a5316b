import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '@app/config';
import { SandboxRuntime } from './sandbox-runtime';
import { fastSendPath } from './send.handler';

function request(method: string, url: string, type = 'application/json'): IncomingMessage {
  return Object.assign(new EventEmitter(), {
    method,
    url,
    headers: { 'content-type': type },
  }) as unknown as IncomingMessage;
}

describe('the sandbox fast send path', () => {
  const rt = new SandboxRuntime(
    loadConfig(
      { NODE_ENV: 'test', APP_SECRET: 'sandbox-unit-secret', WEBHOOK_VERIFY_TOKEN: 'unit' },
      { app: 'sandbox' },
    ),
  );
  const fast = fastSendPath(rt, 1024);
  const res = {} as ServerResponse;

  afterAll(async () => {
    await rt.close();
  });

  it('takes JSON sends only, and leaves everything else to Fastify', () => {
    expect(fast(request('POST', '/v24.0/100000000000002/marketing_messages'), res)).toBe(true);
    expect(fast(request('POST', '/v24.0/100000000000002/messages?x=1'), res)).toBe(true);
    expect(
      fast(
        request('POST', '/v24.0/100000000000002/messages', 'application/json; charset=utf-8'),
        res,
      ),
    ).toBe(true);
    expect(fast(request('GET', '/v24.0/100000000000002/messages'), res)).toBe(false);
    expect(fast(request('POST', '/v24.0/100000000000002/messages', 'text/plain'), res)).toBe(false);
    expect(fast(request('POST', '/v24.0/100000000000002/message_templates'), res)).toBe(false);
    expect(fast(request('POST', '/_sandbox/reset'), res)).toBe(false);
    expect(fast(request('POST', '/v24.0/%E0%A4%A/messages'), res)).toBe(false);
  });

  it('leaves every send to Fastify (which answers 503) once the sandbox is closing', () => {
    rt.releaseHeld();
    expect(rt.closing).toBe(true);
    expect(fast(request('POST', '/v24.0/100000000000002/marketing_messages'), res)).toBe(false);
  });
});
