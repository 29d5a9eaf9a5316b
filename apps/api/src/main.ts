import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const app = await createApiApp(config);
  await app.listen({ port: config.port, host: config.host });
}

void main().catch((e: unknown) => {
  process.stderr.write(`api failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
