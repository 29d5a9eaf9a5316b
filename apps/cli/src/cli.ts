// The command tree (commander): options and arguments are parsed and checked here, the work is
// done by the functions of commands.ts. `runCli` answers an exit code instead of exiting, so
// tests can run it in-process.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiClient, ApiError, ApiUnreachableError } from './api-client';
import {
  campaignAction,
  countSegment,
  createApiKey,
  createAudience,
  createSegment,
  followUpCampaign,
  previewSegment,
  readFilter,
  retryCampaign,
  EXIT,
  exportMessages,
  importCsv,
  listApiKeys,
  listAudiences,
  listCampaigns,
  reportCommand,
  showCampaign,
  UsageError,
  watchCommand,
  type CampaignAction,
  type Output,
} from './commands';

export interface CliIo extends Output {
  env: Record<string, string | undefined>;
}

const DEFAULT_API_URL = 'http://127.0.0.1:3000';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('expected a whole number of milliseconds');
  }
  return n;
}

/** The base URL and key: flags first, then MMLITE_API_URL / MMLITE_API_KEY. */
export function resolveConnection(
  flags: { apiUrl?: string; apiKey?: string },
  env: Record<string, string | undefined>,
): { apiUrl: string; apiKey: string } {
  const apiUrl = flags.apiUrl ?? env.MMLITE_API_URL ?? DEFAULT_API_URL;
  const apiKey = flags.apiKey ?? env.MMLITE_API_KEY ?? '';
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Error('not http(s)');
    }
  } catch {
    throw new UsageError(`the API URL "${apiUrl}" is not an http(s) URL`);
  }
  if (!apiKey) {
    throw new UsageError('no API key: set MMLITE_API_KEY or pass --api-key');
  }
  return { apiUrl, apiKey };
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('mmlite')
    .description('Campaign engine CLI: API keys, audience imports, segments, campaigns, reports')
    .addOption(new Option('--api-url <url>', 'base URL of the API (env MMLITE_API_URL)'))
    .addOption(new Option('--api-key <key>', 'API key (env MMLITE_API_KEY)'))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const api = (): ApiClient => {
    const c = resolveConnection(program.opts<{ apiUrl?: string; apiKey?: string }>(), io.env);
    return new ApiClient(c.apiUrl, c.apiKey);
  };

  const keys = program.command('api-keys').description('API keys of your workspace');
  keys
    .command('create')
    .description('create an API key (its secret is printed once)')
    .argument('<name>', 'what the key is for, e.g. "CI pipeline"')
    .addOption(
      new Option('--role <role>', 'viewer reads; marketer also runs campaigns; admin also manages')
        .choices(['admin', 'marketer', 'viewer'])
        .default('admin'),
    )
    .option('--json', 'print the key as JSON')
    .action(async (name: string, o: { json?: boolean; role?: string }) =>
      setExit(await createApiKey(api(), name, io, o)),
    );
  keys
    .command('list')
    .description('list API keys (prefixes only)')
    .action(async () => setExit(await listApiKeys(api(), io)));

  const audiences = program.command('audiences').description('audiences (lists of contacts)');
  audiences
    .command('create')
    .argument('<name>')
    .option('--description <text>')
    .action(async (name: string, o: { description?: string }) =>
      setExit(await createAudience(api(), name, o.description, io)),
    );
  audiences.command('list').action(async () => setExit(await listAudiences(api(), io)));

  program
    .command('import')
    .description('import a CSV of contacts into an audience, with a progress bar')
    .argument('<file>', 'CSV with a header row and a "phone" column (or see --mapping)')
    .requiredOption('-a, --audience <id>', 'audience id')
    .option(
      '--opt-in-source <source>',
      'record every imported contact as opted in from this source',
    )
    .option('--mapping <json>', 'JSON from CSV header to phone|locale|timezone|attributes.<name>')
    .option('--delimiter <char>', 'field delimiter (detected when absent)')
    .option('--default-country <iso>', 'country of numbers written without +')
    .option('--idempotency-key <key>', 'repeat-safe upload key')
    .option('--no-wait', 'answer as soon as the file is stored')
    .action(
      async (
        file: string,
        o: {
          audience: string;
          optInSource?: string;
          mapping?: string;
          delimiter?: string;
          defaultCountry?: string;
          idempotencyKey?: string;
          wait: boolean;
        },
      ) => {
        const r = await importCsv(api(), file, { ...o, audienceId: o.audience }, io);
        setExit(r.code);
      },
    );

  const segments = program
    .command('segments')
    .description('segments: contacts picked by a filter (JSON, or @file.json; see the README)');
  segments
    .command('create')
    .argument('<name>')
    .argument('<filter>', 'the filter tree as JSON, or @path/to/filter.json')
    .action(async (name: string, filter: string) =>
      setExit(await createSegment(api(), name, await readFilter(filter), io)),
    );
  segments
    .command('count')
    .description('how many contacts a segment matches now, how many are eligible, and examples')
    .argument('<id>')
    .option('--json', 'print the answer as JSON')
    .action(async (id: string, o: { json?: boolean }) =>
      setExit(await countSegment(api(), id, io, o)),
    );
  segments
    .command('preview')
    .description('like count, for a filter that is not stored')
    .argument('<filter>', 'the filter tree as JSON, or @path/to/filter.json')
    .option('--json', 'print the answer as JSON')
    .action(async (filter: string, o: { json?: boolean }) =>
      setExit(await previewSegment(api(), await readFilter(filter), io, o)),
    );

  const campaigns = program.command('campaigns').description('campaigns');
  campaigns
    .command('follow-up')
    .description(
      "create a draft to the parent's recipients with an outcome (e.g. delivered_not_read)",
    )
    .argument('<parentId>')
    .requiredOption(
      '--outcome <outcome>',
      'sent, delivered, read, clicked, converted, failed, not_delivered, delivered_not_read, read_not_clicked, clicked_not_converted, expired, targeted',
    )
    .requiredOption('--name <name>')
    .requiredOption('--template <id>', 'template id')
    .requiredOption('--parameters <json>', 'the template bindings as JSON')
    .option('--phone-number <id>', "our phone-number id (default: the parent's)")
    .action(
      async (
        parentId: string,
        o: {
          outcome: string;
          name: string;
          template: string;
          parameters: string;
          phoneNumber?: string;
        },
      ) => setExit(await followUpCampaign(api(), parentId, o, io)),
    );
  campaigns
    .command('retry')
    .description(
      'send failed messages again by the class of their error (131049: once, after 24 h)',
    )
    .argument('<id>')
    .option('--codes <list>', 'only these Meta error codes, comma-separated', (v: string) =>
      v.split(',').map((x) => {
        const n = Number(x.trim());
        if (!Number.isInteger(n)) {
          throw new InvalidArgumentError(`"${x}" is not an error code`);
        }
        return n;
      }),
    )
    .action(async (id: string, o: { codes?: number[] }) =>
      setExit(await retryCampaign(api(), id, io, o)),
    );
  campaigns
    .command('list')
    .option('--status <status>', 'only campaigns in this status')
    .action(async (o: { status?: string }) => setExit(await listCampaigns(api(), io, o)));
  campaigns
    .command('show')
    .argument('<id>')
    .option('--json', 'print the campaign as JSON')
    .action(async (id: string, o: { json?: boolean }) =>
      setExit(await showCampaign(api(), id, io, o)),
    );
  const actions: Array<[CampaignAction, string]> = [
    ['launch', 'start sending now (or at its scheduledAt)'],
    ['pause', 'stop sending; queued recipients wait'],
    ['resume', 'continue a paused campaign'],
    ['cancel', 'stop for good; queued recipients are not sent'],
  ];
  for (const [action, description] of actions) {
    const cmd = campaigns.command(action).description(description).argument('<id>');
    if (action === 'launch') {
      cmd.option('--idempotency-key <key>', 'repeat-safe launch key');
    }
    cmd.action(async (id: string, o: { idempotencyKey?: string }) =>
      setExit(await campaignAction(api(), id, action, io, o)),
    );
  }
  campaigns
    .command('watch')
    .description('follow live counts with a progress bar until the campaign ends')
    .argument('<id>')
    .option('--interval <ms>', 'poll interval', positiveInt, 500)
    .option(
      '--settle <ms>',
      'after the end, wait until receipts stop moving this long',
      positiveInt,
      0,
    )
    .action(async (id: string, o: { interval: number; settle: number }) =>
      setExit(await watchCommand(api(), id, io, { pollMs: o.interval, settleMs: o.settle })),
    );
  campaigns
    .command('report')
    .description('print the campaign report (funnel, failures, benchmark, conversions) as tables')
    .argument('<id>')
    .option('--json', 'print the report as JSON')
    .action(async (id: string, o: { json?: boolean }) =>
      setExit(await reportCommand(api(), id, io, o)),
    );
  campaigns
    .command('export')
    .description("write the campaign's messages (one row per recipient) as CSV")
    .argument('<id>')
    .option('-o, --output <file>', 'file to write (stdout when absent)')
    .action(async (id: string, o: { output?: string }) =>
      setExit(await exportMessages(api(), id, io, o)),
    );
  return program;
}

/** Runs one command line (`argv` without node and script) and answers its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are successes; anything else commander already explained.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof ApiError) {
      io.stderr.write(`error: ${e.message}\n`);
      return EXIT.failed;
    }
    if (e instanceof ApiUnreachableError) {
      io.stderr.write(`error: ${e.message}\n`);
      return EXIT.unreachable;
    }
    io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  }
}
