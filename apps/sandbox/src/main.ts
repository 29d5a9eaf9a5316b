import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { createSandboxApp } from './create-sandbox-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env, { app: 'sandbox' });
  const app = await createSandboxApp(config);
  await app.listen({ port: config.sandbox.port, host: config.sandbox.host });
}

void main().catch((e: unknown) => {
  process.stderr.write(`sandbox failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
