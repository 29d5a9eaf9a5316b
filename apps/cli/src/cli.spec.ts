import { PassThrough } from 'node:stream';
import { resolveConnection, runCli } from './cli';
import { importQuery, UsageError } from './commands';

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (text.out += d.toString()));
  stderr.on('data', (d: Buffer) => (text.err += d.toString()));
  return { io: { stdout, stderr, env }, text };
}

describe('connection settings', () => {
  it('prefer flags over the environment', () => {
    expect(
      resolveConnection(
        { apiUrl: 'http://flag:1', apiKey: 'flag-key' },
        { MMLITE_API_URL: 'http://env:2', MMLITE_API_KEY: 'env-key' },
      ),
    ).toEqual({ apiUrl: 'http://flag:1', apiKey: 'flag-key' });
    expect(
      resolveConnection({}, { MMLITE_API_URL: 'http://env:2', MMLITE_API_KEY: 'env-key' }),
    ).toEqual({ apiUrl: 'http://env:2', apiKey: 'env-key' });
  });

  it('default to the local API and refuse a missing key or a bad URL', () => {
    expect(resolveConnection({ apiKey: 'k' }, {}).apiUrl).toBe('http://127.0.0.1:3000');
    expect(() => resolveConnection({}, {})).toThrow(UsageError);
    expect(() => resolveConnection({ apiUrl: 'ftp://x', apiKey: 'k' }, {})).toThrow(
      /not an http\(s\) URL/,
    );
  });
});

describe('command line parsing', () => {
  it('prints help with exit code 0', async () => {
    const { io: streams, text } = io();
    expect(await runCli(['--help'], streams)).toBe(0);
    expect(text.out).toContain('Usage: mmlite');
    expect(text.out).toContain('campaigns');
  });

  it('answers exit code 2 for unknown commands, missing arguments and bad option values', async () => {
    const a = io({ MMLITE_API_KEY: 'k' });
    expect(await runCli(['launch-everything'], a.io)).toBe(2);
    expect(a.text.err).toContain("unknown command 'launch-everything'");
    const b = io({ MMLITE_API_KEY: 'k' });
    expect(await runCli(['campaigns', 'launch'], b.io)).toBe(2);
    expect(b.text.err).toContain("missing required argument 'id'");
    const c = io({ MMLITE_API_KEY: 'k' });
    expect(await runCli(['campaigns', 'watch', 'c1', '--interval', 'soon'], c.io)).toBe(2);
    expect(c.text.err).toContain('expected a whole number of milliseconds');
    const d = io({ MMLITE_API_KEY: 'k' });
    expect(await runCli(['import', 'contacts.csv'], d.io)).toBe(2);
    expect(d.text.err).toContain("required option '-a, --audience <id>' not specified");
  });

  it('answers exit code 2 without calling the API when no key is configured', async () => {
    const { io: streams, text } = io();
    expect(await runCli(['campaigns', 'show', 'c1'], streams)).toBe(2);
    expect(text.err).toBe('error: no API key: set MMLITE_API_KEY or pass --api-key\n');
  });

  it('refuses a CSV file that does not exist before uploading anything', async () => {
    const { io: streams, text } = io({ MMLITE_API_KEY: 'k' });
    expect(await runCli(['import', '/nonexistent/contacts.csv', '-a', 'x'], streams)).toBe(2);
    expect(text.err).toMatch(/^error: cannot read \/nonexistent\/contacts\.csv/);
  });
});

describe('import query', () => {
  it('carries only the options given, URL-encoded', () => {
    expect(importQuery({ audienceId: 'a' })).toBe('');
    expect(
      importQuery({ audienceId: 'a', optInSource: 'web form', mapping: '{"Mobile":"phone"}' }),
    ).toBe('?optInSource=web+form&mapping=%7B%22Mobile%22%3A%22phone%22%7D');
  });
});
