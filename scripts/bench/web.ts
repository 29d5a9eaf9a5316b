// Web app benchmark, in Debian's Chromium (scripts/install-browser.sh) against the built API
// serving the built app, on its own database with a 1,000,000-message campaign built as the
// report benchmark builds it (report-fixture.ts):
//  1. The first page's JavaScript and CSS: the overview in a fresh browser profile, the bytes
//     the browser received (gzipped) for every script and stylesheet it loaded.
//  2. The campaign page of the 1M-message campaign: from navigation start until the funnel chart
//     shows its numbers and the first page of recipients is listed, in a fresh profile each time
//     (nothing cached; after one uncounted load that warms the API), then reloaded in the same
//     profile (assets cached), and filtered by an error code (failed recipients of one code,
//     through the failed-messages index).
//
//   npm run build && node dist/scripts/bench/web.js [--messages 1000000] [--loads 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../chromium';
import { percentile, ROOT, waitUp } from './bench-support';
import { benchEnv, contacts, freshDatabase, messages, seedAccount } from './report-fixture';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const MESSAGES = arg('--messages', 1_000_000);
const LOADS = arg('--loads', 10);
const DB_NAME = 'mmlite_bench_web';
const PORT = Number(process.env.BENCH_PORT ?? 3919);
const API_KEY = 'bench-web-key-0123456789';
const BASE = `http://127.0.0.1:${PORT}`;

async function signedInPage(browser: Browser): Promise<Page> {
  // bypassCSP: the readiness probe below is a string evaluated in the page, which the app's CSP
  // (no eval) would refuse; the app itself runs the same either way.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
  });
  await context.addInitScript({
    content: `sessionStorage.setItem('mmlite.apiKey', ${JSON.stringify(API_KEY)});`,
  });
  return context.newPage();
}

/** Ms from navigation start until the funnel shows `targeted` and `rows` recipients are listed. */
async function loadCampaignPage(
  page: Page,
  url: string,
  targeted: number,
  rows: number,
): Promise<number> {
  await page.goto(url);
  const ready = await page
    .waitForFunction(
      `(() => {
      const cell = document.querySelector('table[aria-label="Recipients at each stage data"] td');
      const listed = document.querySelectorAll('table[aria-label="Recipients"] tbody tr').length;
      const drawn = document.querySelector('figure.chart canvas');
      return cell && Number(cell.dataset.value) === ${targeted} && listed === ${rows} && drawn
        ? performance.now()
        : false;
    })()`,
      undefined,
      { timeout: 30_000, polling: 'raf' },
    )
    .catch(async (e: unknown) => {
      await page.screenshot({
        path: join(ROOT, 'test-output', 'bench-web-timeout.png'),
        fullPage: true,
      });
      throw e;
    });
  return Number(await ready.jsonValue());
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms`;
};

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) {
    throw new Error('dist/web is not built (npm run build)');
  }
  const env = benchEnv(DB_NAME, PORT, API_KEY);
  const db = await freshDatabase(DB_NAME, env);
  const children: ChildProcess[] = [];
  let browser: Browser | null = null;
  try {
    const seed = await seedAccount(db);
    const t = Date.now();
    await contacts(db, seed.ws, MESSAGES);
    const campaignId = await seed.campaign();
    await messages(db, seed.ws, campaignId, true, MESSAGES);
    await db.query('VACUUM ANALYZE');
    process.stdout.write(
      `campaign of ${MESSAGES} messages built in ${((Date.now() - t) / 1000).toFixed(1)} s\n`,
    );
    const failed131049 = Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM campaign_messages WHERE campaign_id = $1 AND error_code = 131049`,
          [campaignId],
        )
      ).rows[0].n,
    );

    const api = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    await waitUp(`${BASE}/health`, 'API');
    // The API seeded its key into a default workspace; move the bench data there.
    await db.query(`UPDATE api_keys SET workspace_id = $1 WHERE workspace_id <> $1`, [seed.ws]);

    browser = await launchChromium();

    // 1. First page: the overview, nothing cached.
    const first = await signedInPage(browser);
    const sizes: Array<Promise<number>> = [];
    first.on('requestfinished', (req) => {
      if (/\/app\/assets\/.+\.(js|css)$/.test(req.url())) {
        sizes.push(req.sizes().then((s) => s.responseBodySize));
      }
    });
    await first.goto(`${BASE}/app`);
    await first.locator('figure.chart canvas').waitFor({ timeout: 30_000 });
    await first.waitForLoadState('networkidle');
    const firstPageBytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
    await first.context().close();
    process.stdout.write(
      `web first page (overview, fresh profile): ${(firstPageBytes / 1024).toFixed(1)} KB of JS and CSS over the wire (gzip)\n`,
    );

    // 2. The campaign page of the 1M-message campaign.
    const url = `${BASE}/app/campaigns/${campaignId}`;
    // One load not counted: the API and Postgres answer their first report of this campaign
    // (as report.ts warms up too); every counted load still starts from an empty browser profile.
    const warmUp = await signedInPage(browser);
    await loadCampaignPage(warmUp, url, MESSAGES, 50);
    await warmUp.context().close();
    const cold: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const page = await signedInPage(browser);
      cold.push(await loadCampaignPage(page, url, MESSAGES, 50));
      await page.context().close();
    }
    const warm: number[] = [];
    const filtered: number[] = [];
    const page = await signedInPage(browser);
    await loadCampaignPage(page, url, MESSAGES, 50);
    for (let i = 0; i < LOADS; i++) {
      warm.push(await loadCampaignPage(page, url, MESSAGES, 50));
      filtered.push(
        await loadCampaignPage(
          page,
          `${url}?status=failed&errorCode=131049`,
          MESSAGES,
          Math.min(50, failed131049),
        ),
      );
    }
    await page.context().close();
    process.stdout.write(
      `web campaign page of a ${MESSAGES}-message campaign over ${LOADS} loads: fresh profile ${stats(cold)}; ` +
        `cached assets ${stats(warm)}; failed of one error code ${stats(filtered)}\n`,
    );
  } finally {
    await browser?.close();
    for (const c of children) {
      c.kill('SIGTERM');
    }
    await db.end();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
