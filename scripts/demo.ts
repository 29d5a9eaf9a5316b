// The demo a marketer would run against the sandbox, through the public API only.
// Each step prints what it did; later features add their steps here.

const API = process.env.API_URL ?? 'http://127.0.0.1:3000';
const KEY = process.env.API_KEY ?? '';
const WABA = process.env.SANDBOX_WABA_ID ?? '100000000000001';
const TOKEN = process.env.SANDBOX_ACCESS_TOKEN ?? 'sandbox-token';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(API + path, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

interface Account {
  id: string;
  wabaId: string;
  phoneNumbers: Array<{ id: string; displayPhoneNumber: string; throughputMps: number }>;
}

async function main(): Promise<void> {
  if (!KEY) {
    throw new Error('API_KEY is not set');
  }
  const account = await call<Account>('POST', '/v1/business-accounts', {
    wabaId: WABA,
    accessToken: TOKEN,
    name: 'Demo store',
  });
  console.log(`business account ${account.wabaId} registered (id ${account.id})`);
  for (const p of account.phoneNumbers) {
    console.log(`  phone number ${p.displayPhoneNumber}: ${p.throughputMps} messages/s`);
  }
  console.log('');
  console.log(`API docs:   ${API}/docs`);
  console.log(`health:     ${API}/health`);
  console.log(`metrics:    ${API}/metrics`);
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
