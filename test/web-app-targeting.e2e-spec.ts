// The web app's targeting and iteration pages in Debian's Chromium against the real sandbox, API
// and worker: a segment with an exclusion and its live count, an A/B campaign with tracked links
// on it (variant table, promote), a follow-up from the campaign page, retry failed, and the
// frequency cap (set, seen in a plan, removed; refused for a marketer key). In order: later
// tests use what the earlier ones made. Screenshots go to test-output/web/.
import type { Browser, Locator, Page } from 'playwright-core';
import {
  assertWebAppBuilt,
  launchBrowser,
  newContext,
  presetApiKey,
  screenshot,
} from './support/browser';
import { approvedTemplate, phones, startEngine, until, type Engine } from './support/engine';

describe('the web app: segments, A/B variants, follow-ups, retries, frequency cap', () => {
  let e: Engine;
  let browser: Browser;
  let page: Page;
  const people = phones(10, 733);
  /** Gold customers the segment leaves out (members of "Do not disturb"). */
  const doNotDisturb = people.slice(0, 2);
  /** Gold customers Meta refuses at first with 131049 (its per-user marketing limit). */
  const capped = people.slice(2, 4);
  const gold = people.slice(0, 8);
  const inSegment = gold.length - doNotDisturb.length;
  let templateId = '';
  let segmentId = '';
  let campaignId = '';
  let followUpId = '';
  const browserErrors: string[] = [];

  const app = (path = '') => `${e.api.url}/app${path}`;
  const heading = (p: Page, name: string | RegExp) =>
    p.getByRole('heading', { level: 1, name }).waitFor();
  const statValue = async (scope: Locator, label: string): Promise<string> =>
    (await scope
      .locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
      .locator('.stat-value')
      .textContent()) ?? '';
  /** A cell of the variant table: the row whose first cell starts with `row`, column `col`. */
  const variantCell = async (row: string, col: number): Promise<string> => {
    const tr = page.locator('table[aria-label="Variants"] tbody tr', {
      has: page.locator('td:first-child', { hasText: new RegExp(`^${row}`) }),
    });
    return (await tr.locator('td').nth(col).textContent()) ?? '';
  };
  const campaign = async () => (await e.v1('GET', `/campaigns/${campaignId}`)).body;

  beforeAll(async () => {
    assertWebAppBuilt();
    e = await startEngine();
    // Readers open the tracked link they were sent: clicks reach /r/:token.
    await e.control('PATCH', '/settings', { probabilities: { urlClick: 1 } });
    templateId = (await approvedTemplate(e, 'web_ab_first')).id;
    await approvedTemplate(e, 'web_ab_second');
    for (const [i, phone] of people.entries()) {
      const c = await e.v1('POST', '/contacts', {
        phone,
        attributes: { firstName: `Lia${i}`, tier: gold.includes(phone) ? 'gold' : 'silver' },
      });
      expect(c.status).toBeLessThan(300);
      const consent = { phone, status: 'opted_in', source: 'web-form' };
      expect((await e.v1('POST', '/consents', consent)).status).toBe(201);
    }
    const dnd = await e.v1('POST', '/audiences', { name: 'Do not disturb' });
    await e.v1('POST', `/audiences/${dnd.body.id}/members`, { phones: doNotDisturb });
    await e.control('POST', '/recipients', { phones: capped, state: 'capped' });
    browser = await launchBrowser();
    const context = await newContext(browser);
    await presetApiKey(context, e.key);
    page = await context.newPage();
    page.on('console', (m) => {
      // 4xx answers the tests provoke (a filter typed halfway, a segment in use) show in the page.
      if (m.type() === 'error' && !/status of 40\d/.test(m.text())) {
        browserErrors.push(m.text());
      }
    });
    page.on('pageerror', (err) => browserErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await e?.close();
  });

  it('builds a segment with an exclusion, sees its live count and samples, and saves it', async () => {
    await page.goto(app('/segments'));
    await heading(page, 'Segments');
    await page.getByRole('link', { name: 'New segment' }).click();
    await heading(page, 'New segment');
    await page.getByLabel('Name', { exact: true }).fill('Gold customers');
    await page.getByRole('button', { name: 'Add condition' }).click();
    const condition = page.getByRole('group', { name: 'Condition 1', exact: true });
    await condition.getByLabel('Attribute name').fill('tier');
    await condition.getByLabel('Value', { exact: true }).fill('gold');
    const count = page.locator('dl[aria-label="Segment count"]');
    await until('gold counted', async () => (await statValue(count, 'Matching contacts')) === '8');

    await page.getByLabel('Kind of exclusion to add').selectOption('audience');
    await page.getByRole('button', { name: 'Add exclusion' }).click();
    await page
      .getByRole('group', { name: 'Exclusion 1', exact: true })
      .getByLabel('Audience')
      .selectOption({ label: 'Do not disturb' });
    await until(
      'the exclusion applied',
      async () => (await statValue(count, 'Matching contacts')) === String(inSegment),
    );
    expect(await statValue(count, 'Eligible')).toBe(String(inSegment));
    const samples = page.locator('table[aria-label="Sample of matching contacts"] tbody tr');
    expect(await samples.count()).toBe(inSegment);
    expect((await samples.allTextContents()).join()).not.toContain(doNotDisturb[0]);
    await screenshot(page, 'segment-editor');

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    await heading(page, 'Gold customers');
    const saved = (await e.v1('GET', '/segments')).body.data[0];
    segmentId = saved.id;
    expect(saved.filter).toEqual({
      all: [
        { all: [{ field: 'attributes.tier', op: 'eq', value: 'gold' }] },
        { not: { audience: expect.any(String) } },
      ],
    });
    // Opened again, the stored filter is back in the editor.
    await page.reload();
    await heading(page, 'Gold customers');
    expect(
      await page
        .getByRole('group', { name: 'Condition 1', exact: true })
        .getByLabel('Attribute name')
        .inputValue(),
    ).toBe('tier');
  });

  it('launches an A/B campaign with tracked links on the segment, fills the variant table and promotes a winner', async () => {
    await page.goto(app('/campaigns/new'));
    await page.getByLabel('Name', { exact: true }).fill('Gold A/B');
    await page.getByLabel('Target').selectOption('segment');
    await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Gold customers' });
    await page.getByText(`${inSegment} contacts match now`).waitFor();
    await page.getByLabel('A/B test: send 2 to 5 variants of the message').check();
    for (const [key, template] of [
      ['a', 'web_ab_first'],
      ['b', 'web_ab_second'],
    ] as const) {
      await page
        .getByLabel(`Template of variant ${key}`)
        .selectOption({ label: `${template} (en_US)` });
      await page
        .getByLabel(`Contact field for Body {{1}} of variant ${key}`)
        .selectOption({ label: 'attribute firstName' });
      const link = page.getByLabel(`Body {{2}} of variant ${key}`, { exact: true });
      await link.fill(`https://shop.example.com/${key}`);
      await page.getByLabel(`Track clicks on Body {{2}} of variant ${key}`).check();
      expect(await link.inputValue()).toBe(`{{link:https://shop.example.com/${key}}}`);
      await page
        .getByTestId('message-preview')
        .nth(key === 'a' ? 0 : 1)
        .getByText(/^Hi Lia\d, use code http:\/\/127\.0\.0\.1:\d+\/r\/\S+ for a treat today$/)
        .waitFor();
    }
    await page.getByLabel('Test share (% of the eligible target)').fill('50');
    await page.getByLabel('Delivered per variant before deciding').fill('1');
    await screenshot(page, 'new-ab-campaign');
    await page.getByRole('button', { name: 'Save draft and see the plan' }).click();
    await heading(page, /Gold A\/B/);
    campaignId = page.url().split('/').pop()!;
    const plan = page.locator('dl[aria-label="Plan"]');
    await plan.waitFor();
    expect(await statValue(plan, 'Eligible recipients')).toBe(String(inSegment));
    expect(await statValue(plan, 'Held by frequency cap')).toBe('0');
    const split = page.locator('table[aria-label="A/B split at launch"] tbody tr');
    expect(await split.allTextContents()).toEqual([
      'Variant a2',
      'Variant b1',
      'Rest (gets the winner)3',
    ]);
    await screenshot(page, 'ab-campaign-plan');

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('button', { name: 'Yes, launch' }).click();
    await page.locator('table[aria-label="Variants"]').waitFor({ timeout: 20_000 });
    // The test share goes out; its readers open the tracked link.
    await until(
      'the test share sent and clicked',
      async () =>
        (await variantCell('Variant a', 3)) === '2' &&
        (await variantCell('Variant b', 3)) === '1' &&
        Number(await variantCell('Variant a', 6)) + Number(await variantCell('Variant b', 6)) >= 1,
      30_000,
    );
    expect((await campaign()).winner).toBeNull();
    await page.getByRole('button', { name: 'Promote b' }).click();
    await page.getByRole('button', { name: 'Yes, promote b' }).click();
    await page.getByText('winner b picked by hand').waitFor();
    await until(
      'the rest sent with b, two refused by the cap, receipts in',
      async () => {
        const c = await campaign();
        return (
          c.status === 'completed' &&
          c.counts.read === inSegment - capped.length &&
          c.counts.failed === capped.length
        );
      },
      30_000,
    );
    await until('the rest row filled', async () => Number(await variantCell('Rest', 3)) >= 1);
    expect(await variantCell('Variant b', 0)).toContain('Winner');
    const messages = (await e.v1('GET', `/campaigns/${campaignId}/messages?limit=100`)).body.data;
    expect(messages.filter((m: { variant: string }) => m.variant === 'b')).toHaveLength(4);
    // The recipients show their variant and their clicks on the tracked link.
    const rows = page.locator('table[aria-label="Recipients"] tbody tr');
    await until('every recipient with its variant', async () => {
      const variants = await rows.locator('td:nth-child(4)').allTextContents();
      return variants.length === inSegment && variants.every((v) => v === 'a' || v === 'b');
    });
    await until('link clicks listed', async () =>
      (await rows.locator('td:nth-child(7)').allTextContents()).some((n) => Number(n) >= 1),
    );
    await screenshot(page, 'ab-campaign-variants');
  });

  it('creates a follow-up to the readers from the campaign page and opens it', async () => {
    expect(campaignId).not.toBe('');
    await page.getByRole('button', { name: 'Follow up' }).click();
    await page.getByLabel('Follow-up outcome').selectOption('read');
    await page.getByRole('button', { name: 'Choose the message' }).click();
    await heading(page, 'New follow-up');
    // It starts from the winner's message.
    expect(await page.getByLabel('Template', { exact: true }).inputValue()).not.toBe('');
    expect(await page.getByLabel('Body {{2}}', { exact: true }).inputValue()).toBe(
      '{{link:https://shop.example.com/b}}',
    );
    expect(await page.getByLabel('Outcome', { exact: true }).inputValue()).toBe('read');
    await page.getByLabel('Name', { exact: true }).fill('Gold readers: second chance');
    await screenshot(page, 'new-follow-up');
    await page.getByRole('button', { name: 'Save draft and see the plan' }).click();
    await heading(page, /Gold readers: second chance/);
    followUpId = page.url().split('/').pop()!;
    expect(followUpId).not.toBe(campaignId);
    const parent = page.locator('.meta-line').getByRole('link', { name: 'Gold A/B' });
    expect(await parent.getAttribute('href')).toBe(`/app/campaigns/${campaignId}`);
    const plan = page.locator('dl[aria-label="Plan"]');
    await plan.waitFor();
    expect(await statValue(plan, 'Eligible recipients')).toBe(String(inSegment - capped.length));
    const body = (await e.v1('GET', `/campaigns/${followUpId}`)).body;
    expect(body).toMatchObject({ parentCampaignId: campaignId, followUpOutcome: 'read' });
    await screenshot(page, 'follow-up-draft');
  });

  it('retries the failed messages by error code after a confirmation', async () => {
    await e.control('POST', '/recipients', { phones: capped, state: 'normal' });
    await page.goto(app(`/campaigns/${campaignId}`));
    await heading(page, /Gold A\/B/);
    await page.getByRole('button', { name: 'Retry failed' }).click();
    const dialog = page.getByRole('dialog', { name: /Retry the failed messages/ });
    const code = dialog.getByLabel(/131049/);
    expect(await code.evaluate((el) => el.parentElement?.textContent)).toContain(
      'once, not before 24 h after the failure',
    );
    await code.check();
    await screenshot(page, 'retry-dialog');
    await dialog.getByRole('button', { name: 'Yes, retry' }).click();
    const result = page.locator('.retry-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^2 requeued, sent from /);
    await page.locator('h1 .badge', { hasText: 'Running' }).waitFor();
    // 131049 is retried once, 24 h after the failure: the engine's clock moves on.
    e.clock.advance(24 * 3600_000 + 60_000);
    await until(
      'both retried messages recovered',
      async () =>
        (await page.locator('.stat', { hasText: 'Retried' }).textContent())?.includes(
          '2 recovered',
        ),
      30_000,
    );
    expect((await campaign()).counts).toMatchObject({ retried: 2, recovered: 2 });
    await screenshot(page, 'retried');
  });

  it('sets the frequency cap, shows it held in a plan, and removes it; a marketer key gets the 403', async () => {
    await page.goto(app('/settings'));
    await heading(page, 'Settings');
    const cap = page.locator('dl[aria-label="Frequency cap"]');
    expect(await statValue(cap, 'Current cap')).toBe('No cap');
    await page.getByLabel('At most').fill('1');
    await page.getByLabel('messages per').fill('7');
    await page.getByRole('button', { name: 'Set cap' }).click();
    await until('cap set', async () => (await statValue(cap, 'Current cap')) === '1 per 7 days');
    expect((await e.v1('GET', '/settings/frequency-cap')).body).toEqual({
      maxMessages: 1,
      perDays: 7,
    });
    await screenshot(page, 'frequency-cap');

    // The follow-up's recipients (the readers, the retried ones too by now) all had a message
    // this week: the plan holds every one of them.
    await page.goto(app(`/campaigns/${followUpId}`));
    const plan = page.locator('dl[aria-label="Plan"]');
    await plan.waitFor();
    const held = await statValue(plan, 'Held by frequency cap');
    expect(Number(held)).toBeGreaterThanOrEqual(inSegment - capped.length);
    expect(held).toBe(await statValue(plan, 'Target'));
    expect(await statValue(plan, 'Eligible recipients')).toBe('0');

    await page.goto(app('/settings'));
    await page.getByRole('button', { name: 'Remove cap' }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await until('cap removed', async () => (await statValue(cap, 'Current cap')) === 'No cap');
    expect((await e.v1('GET', '/settings/frequency-cap')).body).toBeNull();

    const marketer = await e.v1('POST', '/api-keys', { name: 'marketer', role: 'marketer' });
    const context = await newContext(browser);
    await presetApiKey(context, marketer.body.secret);
    const other = await context.newPage();
    await other.goto(app('/settings'));
    await heading(other, 'Settings');
    await other.getByRole('button', { name: 'Set cap' }).click();
    const alert = other.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('HTTP 403');
    expect(text).toContain('ROLE_FORBIDDEN');
    expect(await alert.locator('[data-request-id]').textContent()).toMatch(/\S{8,}/);
    await screenshot(other, 'frequency-cap-forbidden');
    await context.close();
    expect((await e.v1('GET', '/settings/frequency-cap')).body).toBeNull();
  });

  it("shows a holdout campaign's control group and lift beside what the report says", async () => {
    const created = await e.v1('POST', '/campaigns', {
      name: 'Gold with a control group',
      templateId,
      segmentId,
      holdoutPercent: 50,
      phoneNumberId: e.phoneId,
      parameters: { body: ['{{contact.attributes.firstName}}', 'GOLD'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    const report = await until('sent', async () => {
      const r = (await e.v1('GET', `/campaigns/${id}/report`)).body;
      return r.status === 'completed' && r.holdout && r;
    });
    await page.goto(app(`/campaigns/${id}`));
    const lift = page.locator('dl[aria-label="Holdout"]');
    await lift.waitFor();
    expect(await statValue(lift, 'Control group')).toBe('50 %');
    expect(await lift.locator('.stat', { hasText: 'Control group' }).textContent()).toContain(
      `${report.holdout.holdout.contacts} contacts`,
    );
    expect(report.holdout.holdout.contacts).toBe(
      (await e.v1('GET', `/campaigns/${id}`)).body.counts.holdout,
    );
    expect(await lift.locator('.stat', { hasText: 'Difference' }).count()).toBe(1);
    await screenshot(page, 'holdout-lift');
  });

  it('deletes a segment after a confirmation, and shows the 409 while a draft still uses it', async () => {
    const made = await e.v1('POST', '/segments', {
      name: 'Silver customers',
      filter: { field: 'attributes.tier', op: 'eq', value: 'silver' },
    });
    expect(made.status).toBe(201);
    const draft = await e.v1('POST', '/campaigns', {
      name: 'Silver draft',
      templateId,
      segmentId: made.body.id,
      phoneNumberId: e.phoneId,
      parameters: { body: ['{{contact.attributes.firstName}}', 'SILVER'] },
    });
    expect(draft.status).toBe(201);
    await page.goto(app(`/segments/${made.body.id}`));
    await heading(page, 'Silver customers');
    // A lone condition opens in the editor too.
    const count = page.locator('dl[aria-label="Segment count"]');
    await until(
      'silver counted',
      async () => (await statValue(count, 'Matching contacts')) === '2',
    );
    const remove = async () => {
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
    };
    await remove();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('SEGMENT_IN_USE');
    await screenshot(page, 'segment-in-use');

    expect((await e.v1('POST', `/campaigns/${draft.body.id}/cancel`)).status).toBe(200);
    await remove();
    await heading(page, 'Segments');
    // The list renders while its query is still loading (or refetching after the delete).
    const names = page.locator('table[aria-label="Segments"] tbody tr td:first-child');
    await until(
      'the list without the deleted segment',
      async () => JSON.stringify(await names.allTextContents()) === '["Gold customers"]',
      20_000,
      () => names.allTextContents(),
    );
  });

  it('ran everything above without a script error', () => {
    expect(browserErrors).toEqual([]);
  });
});
