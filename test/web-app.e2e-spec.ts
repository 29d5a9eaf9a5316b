// The marketers' web app in Debian's Chromium against the real sandbox, API and worker: what a
// marketer does, in order (later tests use the audience and campaign the earlier ones made).
// Screenshots go to test-output/web/; UPDATE_DOCS_SCREENSHOT=1 also refreshes docs/campaign-page.png.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildOpenApiDocument } from '../apps/api/src/openapi-document';
import { http } from './support/apps';
import {
  assertWebAppBuilt,
  launchBrowser,
  newContext,
  PHONE,
  presetApiKey,
  ROOT,
  screenshot,
  SCREENSHOT_DIR,
} from './support/browser';
import { approvedTemplate, phones, startEngine, until, type Engine } from './support/engine';

const FIRST_PAGE_BUDGET = 250 * 1024;

describe('the web app in Chromium (sandbox, API, worker)', () => {
  let e: Engine;
  let browser: Browser;
  let page: Page;
  const people = phones(24, 731);
  const undeliverable = [people[3]!, people[7]!];
  let audienceId = '';
  let campaignId = '';
  /** What the browser reported as errors on the main page (CSP violations, failed scripts). */
  const browserErrors: string[] = [];

  const app = (path = '') => `${e.api.url}/app${path}`;
  const heading = (p: Page, name: string | RegExp) =>
    p.getByRole('heading', { level: 1, name }).waitFor();
  /** The number a chart's data table shows for one category (its data-value). */
  const chartValue = async (chart: string, row: string): Promise<number> => {
    const cell = page
      .locator(`table[aria-label="${chart} data"] tr`, {
        has: page.locator('th', { hasText: new RegExp(`^${row}$`) }),
      })
      .locator('td')
      .first();
    return Number(await cell.getAttribute('data-value'));
  };
  const statValue = async (scope: Locator, label: string): Promise<string> =>
    (await scope.locator('.stat', { hasText: label }).locator('.stat-value').textContent()) ?? '';

  beforeAll(async () => {
    assertWebAppBuilt();
    e = await startEngine();
    await approvedTemplate(e, 'web_promo');
    await e.control('POST', '/recipients', { phones: undeliverable, state: 'undeliverable' });
    browser = await launchBrowser();
    const context = await newContext(browser, undefined, { acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[01]/.test(m.text())) {
        browserErrors.push(m.text());
      }
    });
    page.on('pageerror', (e) => browserErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await e?.close();
  });

  it('asks for the API key at a deep link, shows a refusal with its request id, then opens the page', async () => {
    await page.goto(app('/campaigns'));
    await page.getByLabel('API key').fill('mml_not_a_real_key_0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('invalid or revoked API key');
    expect(await alert.locator('[data-request-id]').textContent()).toMatch(/\S{8,}/);
    await screenshot(page, 'sign-in-refused');

    await page.getByLabel('API key').fill(e.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Campaigns');
    expect(page.url()).toBe(app('/campaigns'));
  });

  it('loads the overview (the first page) within its JavaScript budget, then signs out', async () => {
    // A fresh profile: nothing cached, so every byte of the first page crosses the wire.
    const context = await newContext(browser);
    await presetApiKey(context, e.key);
    const fresh = await context.newPage();
    const sizes: Array<Promise<{ url: string; bytes: number }>> = [];
    fresh.on('requestfinished', (req) => {
      if (/\/app\/assets\/.+\.(js|css)$/.test(req.url())) {
        sizes.push(req.sizes().then((s) => ({ url: req.url(), bytes: s.responseBodySize })));
      }
    });
    await fresh.goto(app());
    await heading(fresh, 'Overview');
    await fresh.locator('figure.chart canvas').waitFor();
    await fresh.waitForLoadState('networkidle');
    const files = await Promise.all(sizes);
    const total = files.reduce((n, f) => n + f.bytes, 0);
    writeFileSync(
      join(SCREENSHOT_DIR, 'first-page.json'),
      JSON.stringify({ totalBytes: total, files }, null, 2),
    );
    expect(files.some((f) => f.url.includes('ChartCanvas'))).toBe(true);
    expect(total).toBeGreaterThan(50 * 1024); // gzip really applied to real files, not 0-byte stubs
    expect(total).toBeLessThanOrEqual(FIRST_PAGE_BUDGET);
    expect(await fresh.getByText('Campaigns by status').count()).toBe(1);
    await screenshot(fresh, 'overview');

    await fresh.getByRole('button', { name: 'Sign out' }).click();
    await fresh.getByLabel('API key').waitFor();
    expect(await fresh.evaluate('sessionStorage.getItem("mmlite.apiKey")')).toBeNull();
    await context.close();
  });

  it('imports a CSV into a new audience with a progress bar, its counts and the bad rows', async () => {
    await page.goto(app('/audiences'));
    await page.getByLabel('Name').fill('Spring list');
    await page.getByRole('button', { name: 'Create and add contacts' }).click();
    await heading(page, 'Spring list');
    audienceId = page.url().split('/').pop()!;

    const csv = [
      'phone,firstName',
      ...people.map((p, i) => `${p},Ana${i}`),
      'not-a-phone,Bad',
      ',Nobody',
    ].join('\n');
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'spring.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Opt-in source').fill('web-form');
    await page.getByRole('button', { name: 'Upload' }).click();
    const progress = page.locator('.import-progress');
    await progress.locator('.badge', { hasText: 'Completed' }).waitFor({ timeout: 30_000 });

    const counts = page.locator('dl[aria-label="Import counts"]');
    expect(await statValue(counts, 'Rows read')).toBe('26');
    expect(await statValue(counts, 'Created')).toBe('24');
    expect(await statValue(counts, 'Failed')).toBe('2');
    const bar = page.getByLabel('Import progress');
    expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
    const errors = page.locator('table[aria-label^="Rows not imported"] tbody tr');
    expect(await errors.count()).toBe(2);
    expect(await errors.first().textContent()).toMatch(/phone/i);
    // The member list and count follow the import without a reload.
    await until(
      'members listed',
      async () => (await statValue(page.locator('dl[aria-label="Audience"]'), 'Members')) === '24',
    );
    expect(await page.locator('table[aria-label="Members"] tbody tr').count()).toBe(24);
    await screenshot(page, 'audience-import');
  });

  it('creates a campaign with a live preview, plans it, launches it, and pauses and resumes it while the funnel fills', async () => {
    expect(audienceId).not.toBe('');
    await page.goto(app('/campaigns/new'));
    await page.getByLabel('Name').fill('Spring sale');
    await page.getByLabel('Template').selectOption({ label: 'web_promo (en_US)' });
    await page.getByLabel('Audience').selectOption({ label: 'Spring list (24 members)' });
    await page
      .getByLabel('Contact field for Body {{1}}')
      .selectOption({ label: 'attribute firstName' });
    await page.getByLabel('Body {{2}}', { exact: true }).fill('SPRING20');
    const preview = page.getByTestId('message-preview');
    await preview.getByText(/^Hi Ana\d+, use code SPRING20 for a treat today$/).waitFor();
    // Slow enough to watch: 24 recipients at 4 messages per second.
    await page.getByLabel('Messages per second (optional)').fill('4');
    await screenshot(page, 'new-campaign');
    await page.getByRole('button', { name: 'Save draft and see the plan' }).click();
    await heading(page, /Spring sale/);
    campaignId = page.url().split('/').pop()!.split('?')[0]!;
    const plan = page.locator('dl[aria-label="Plan"]');
    await plan.waitFor();
    expect(await statValue(plan, 'Eligible recipients')).toBe('24');
    await screenshot(page, 'campaign-plan');

    await page.evaluate('window.__sameDocument = true');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('button', { name: 'Yes, launch' }).click();
    await page.locator('h1 .badge', { hasText: 'Running' }).waitFor();

    // The funnel's "Sent" bar, as polls bring it: seen part-way, then paused part-way.
    const seen = new Set<number>();
    await until(
      'a quarter sent',
      async () => {
        const sent = await chartValue('Recipients at each stage', 'Sent');
        seen.add(sent);
        return sent >= 6;
      },
      20_000,
    );
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Yes, pause' }).click();
    await page.locator('h1 .badge', { hasText: 'Paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const paused = (await e.v1('GET', `/campaigns/${campaignId}`)).body;
    expect(paused.status).toBe('paused');
    expect(paused.counts.queued).toBeGreaterThan(0);
    await screenshot(page, 'campaign-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Yes, resume' }).click();
    await until(
      'campaign completed and its receipts in',
      async () => {
        seen.add(await chartValue('Recipients at each stage', 'Sent'));
        const c = (await e.v1('GET', `/campaigns/${campaignId}`)).body;
        return c.status === 'completed' && c.counts.read + c.counts.failed === 24 && c;
      },
      40_000,
    );
    await page.locator('h1 .badge', { hasText: 'Completed' }).waitFor();
    await until(
      'the funnel shows every read',
      async () => (await chartValue('Recipients at each stage', 'Read')) === 22,
    );
    const sent = await chartValue('Recipients at each stage', 'Sent');
    seen.add(sent);
    expect([...seen].some((n) => n > 0 && n < sent)).toBe(true);
    expect(await chartValue('Recipients at each stage', 'Targeted')).toBe(24);
    // Everything above arrived by polling: the document was never reloaded.
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const shot = await screenshot(page, 'campaign-page');
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      copyFileSync(shot, join(ROOT, 'docs', 'campaign-page.png'));
    }
  });

  it("opens a failed recipient's error from the failures by code", async () => {
    expect(campaignId).not.toBe('');
    const failures = page.locator('section[aria-label="Failures by Meta error code"]');
    const row = failures.locator('tr', { hasText: '131026' });
    expect(await row.textContent()).toContain('Message undeliverable');
    await row.getByRole('button', { name: 'Show recipients' }).click();
    await page.waitForURL(/errorCode=131026/);
    const rows = page.locator('table[aria-label="Recipients"] tbody tr');
    await until(
      'the two failed recipients',
      async () =>
        (await rows.count()) === 2 && (await rows.first().textContent())?.includes('131026'),
    );
    const listed = await rows.locator('td:first-child').allTextContents();
    expect(listed.sort()).toEqual([...undeliverable].sort());

    await page.getByRole('button', { name: `Details of ${undeliverable[0]}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Recipient details' });
    await dialog.waitFor();
    const text = await dialog.textContent();
    expect(text).toContain('131026');
    expect(text).toContain('Message undeliverable');
    await screenshot(page, 'failed-recipient');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('downloads the recipients as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Spring-sale-recipients.csv');
    const lines = readFileSync(await download.path(), 'utf8')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(lines[0]).toMatch(/^contact_id,phone,status,/);
    expect(lines).toHaveLength(25);
    expect(lines.filter((l) => l.includes(',131026,'))).toHaveLength(2);
  });

  it('works on a phone-width screen and from the keyboard', async () => {
    const context = await newContext(browser, PHONE);
    await presetApiKey(context, e.key);
    const phone = await context.newPage();
    await phone.goto(app(`/campaigns/${campaignId}`));
    await heading(phone, /Spring sale/);
    await phone.locator('figure.chart canvas').first().waitFor();
    const overflow = await phone.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const nav = phone.getByRole('link', { name: 'Audiences' });
    expect(await nav.isVisible()).toBe(false);
    await screenshot(phone, 'phone-campaign');
    await phone.getByRole('button', { name: 'Menu' }).click();
    await nav.click();
    await heading(phone, 'Audiences');

    // Keyboard only: the skip link comes first, then the navigation.
    await phone.setViewportSize({ width: 1280, height: 800 });
    await phone.goto(app());
    await heading(phone, 'Overview');
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    for (let i = 0; i < 6; i++) {
      await phone.keyboard.press('Tab');
      if ((await phone.evaluate('document.activeElement.textContent')) === 'Campaigns') {
        break;
      }
    }
    await phone.keyboard.press('Enter');
    await heading(phone, 'Campaigns');
    await context.close();
  });

  it('serves deep links, gzipped immutable assets and the same OpenAPI document the types come from', async () => {
    const deep = await http(e.api.url, 'GET', '/app/audiences/some/deep/link');
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(deep.text).toContain('<div id="root">');
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(deep.text)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${e.api.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await http(e.api.url, 'GET', '/app/assets/missing-1234.js')).status).toBe(404);

    const served = await http(e.api.url, 'GET', '/docs-json');
    expect(served.body).toEqual(JSON.parse(JSON.stringify(await buildOpenApiDocument())));
  });

  it('ran everything above without a script error or a Content-Security-Policy violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
