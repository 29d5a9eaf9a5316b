// A/B variants and tracked links through the public API, against what the sandbox accepted:
// the test share split by weight, the winner decided (or the first on a tie) and the rest sent
// with it, exactly one message per contact; clicks through /r/:token counted once per recipient,
// previews and HEAD not at all, UTM and fbclid on the redirect.
import { http } from './support/apps';
import { audienceOf, optedIn, startEngine, until, WABA, type Engine } from './support/engine';

describe('A/B variants and tracked links (sandbox, API, worker)', () => {
  let e: Engine;
  let linkBase: string;

  beforeAll(async () => {
    e = await startEngine();
    linkBase = `${e.config.links.publicBaseUrl}/r/`;
    // A number fast enough for 2,000 recipients in a few seconds.
    await e.control('PATCH', '/phone-numbers/100000000000002', { throughputMps: 400 });
    await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { throughputMps: 400 });
  }, 60_000);

  afterAll(async () => {
    await e?.close();
  });

  /** An approved MARKETING template with a body value and a URL button into our redirect. */
  async function template(name: string): Promise<string> {
    const seeded = await e.control('POST', '/templates', {
      wabaId: WABA,
      name,
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, see {{2}} today', example: { body_text: [['Ana', 'x']] } },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Shop now', url: `${linkBase}{{1}}`, example: [`${linkBase}abc`] },
          ],
        },
      ],
    });
    await e.v1('POST', '/templates/sync', { businessAccountId: e.accountId });
    const list = await e.v1('GET', '/templates?limit=1000');
    return list.body.data.find((t: { metaTemplateId: string }) => t.metaTemplateId === seeded.id)
      .id;
  }

  const bindings = (target: string, label: string) => ({
    body: ['{{contact.attributes.firstName}}', label],
    buttons: [{ index: 0, text: `{{link:${target}}}` }],
  });

  async function allMessages(id: string): Promise<any[]> {
    const out: any[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/campaigns/${id}/messages?limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
      const page: any = (await e.v1('GET', q)).body;
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  const click = (token: string, ua: string, method = 'GET', query = '') =>
    http(e.api.url, method, `/r/${token}${query}`, { headers: { 'user-agent': ua } });
  const BROWSER =
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36';

  async function accepted(list: string[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < list.length; i += 200) {
      const part = list.slice(i, i + 200);
      const r = await http(
        e.sandbox.url,
        'GET',
        `/_sandbox/counters/recipients?phones=${part.map(encodeURIComponent).join(',')}`,
      );
      out.push(...part.map((p) => (r.body.recipients[p.slice(1)] as number | undefined) ?? 0));
    }
    return out;
  }

  /** An audience of opted-in contacts, imported as a CSV (fast for thousands). */
  async function imported(list: string[]): Promise<string> {
    const aud = await e.v1('POST', '/audiences', { name: `ab ${Date.now()} ${Math.random()}` });
    const csv = ['phone,firstName', ...list.map((p) => `${p},Ab`)].join('\n');
    const up = await http(
      e.api.url,
      'POST',
      `/v1/audiences/${aud.body.id}/imports?optInSource=test`,
      {
        key: e.key,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      },
    );
    expect(up.status).toBe(202);
    await until(
      'import done',
      async () => (await e.v1('GET', `/imports/${up.body.id}`)).body.status === 'completed',
    );
    return aud.body.id;
  }

  async function launchAb(list: string[], abTest: Record<string, unknown>, tag: string) {
    const audience = await imported(list);
    const [ta, tb] = [await template(`ab_a_${tag}`), await template(`ab_b_${tag}`)];
    const c = await e.v1('POST', '/campaigns', {
      name: `Spring sale ${tag}`,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      variants: [
        {
          key: 'a',
          templateId: ta,
          parameters: bindings('https://shop.example.com/a', 'A'),
          weight: 1,
        },
        {
          key: 'b',
          templateId: tb,
          parameters: bindings('https://shop.example.com/b?ref=wa', 'B'),
          weight: 1,
        },
      ],
      abTest,
    });
    expect(c.status).toBe(201);
    const plan = (await e.v1('GET', `/campaigns/${c.body.id}/plan`)).body;
    expect((await e.v1('POST', `/campaigns/${c.body.id}/launch`)).status).toBe(200);
    return { id: c.body.id as string, plan };
  }

  async function testShareSent(id: string, n: number): Promise<any[]> {
    return until(
      'test share sent',
      async () => {
        const ms = await allMessages(id);
        const test = ms.filter((m) => m.variant !== null);
        return (
          test.length === n &&
          test.every((m) => m.status === 'delivered' || m.status === 'read') &&
          ms
        );
      },
      60_000,
      async () => {
        const by: Record<string, number> = {};
        for (const m of await allMessages(id)) {
          by[`${m.variant ?? 'rest'} ${m.status}`] =
            (by[`${m.variant ?? 'rest'} ${m.status}`] ?? 0) + 1;
        }
        return by;
      },
    );
  }

  it('splits 20 % of 2,000 by weight, decides the better variant, sends it to the rest, one message per contact', async () => {
    const list = Array.from({ length: 2000 }, (_, i) => `+5511922${String(i).padStart(6, '0')}`);
    const { id, plan } = await launchAb(
      list,
      { testPercent: 20, metric: 'click', decideAfterMinutes: 30, minPerVariant: 150 },
      `w${Date.now()}`,
    );
    expect(plan.abTest).toEqual({
      test: 400,
      rest: 1600,
      variants: [
        expect.objectContaining({ key: 'a', recipients: 200 }),
        expect.objectContaining({ key: 'b', recipients: 200 }),
      ],
    });
    const ms = await testShareSent(id, 400);
    const a = ms.filter((m) => m.variant === 'a');
    const b = ms.filter((m) => m.variant === 'b');
    expect([a.length, b.length]).toEqual([200, 200]);
    // The rest waits for the winner: nothing of it has gone out.
    expect(ms.filter((m) => m.variant === null).every((m) => m.status === 'pending')).toBe(true);
    // Readers of b click far more often than readers of a.
    for (const m of [...b.slice(0, 120), ...a.slice(0, 20)]) {
      const r = await click(m.trackedLinks[0].token, BROWSER);
      expect(r.status).toBe(302);
    }
    expect((await e.v1('GET', `/campaigns/${id}`)).body.winner).toBeNull();
    e.clock.advance(31 * 60_000);
    const done = await until(
      'campaign completed',
      async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.status === 'completed' && c;
      },
      40_000,
    );
    expect(done.winner).toMatchObject({ key: 'b', by: 'rule', significant: true });
    expect(done.counts).toMatchObject({ sent: 2000, clicked: 140 });
    const all = await allMessages(id);
    expect(all.filter((m) => m.variant === 'b')).toHaveLength(1800);
    expect(await accepted(list)).toEqual(list.map(() => 1));
    const report = (await e.v1('GET', `/campaigns/${id}/report`)).body;
    expect(report.abTest.variants).toEqual([
      expect.objectContaining({
        key: 'a',
        winner: false,
        funnel: expect.objectContaining({ sent: 200, clicked: 20 }),
      }),
      expect.objectContaining({
        key: 'b',
        winner: true,
        funnel: expect.objectContaining({ sent: 200, clicked: 120 }),
      }),
    ]);
    expect(report.abTest.variants[0].pValue).toBeLessThan(0.05);
    expect(report.abTest.rest.funnel.sent).toBe(1600);
    const csv = await http(e.api.url, 'GET', `/v1/campaigns/${id}/messages.csv`, { key: e.key });
    expect(csv.text.split('\n')[0]).toContain('variant');
  });

  it('a tie sends the first variant; a winner can be promoted only before one is decided', async () => {
    const list = Array.from({ length: 200 }, (_, i) => `+5511923${String(i).padStart(6, '0')}`);
    const { id } = await launchAb(
      list,
      { testPercent: 20, metric: 'read', decideAfterMinutes: 5, minPerVariant: 10 },
      `t${Date.now()}`,
    );
    await testShareSent(id, 40);
    e.clock.advance(6 * 60_000);
    const done = await until('completed', async () => {
      const c = (await e.v1('GET', `/campaigns/${id}`)).body;
      return c.status === 'completed' && c;
    });
    expect(done.winner).toMatchObject({ key: 'a', significant: false });
    expect((await allMessages(id)).filter((m) => m.variant === 'a')).toHaveLength(180);
    expect(await accepted(list)).toEqual(list.map(() => 1));
    const late = await e.v1('POST', `/campaigns/${id}/variants/b/promote`);
    expect(late.status).toBe(409);
    expect((await e.v1('POST', `/campaigns/${id}/variants/zz/promote`)).status).toBe(404);

    // By hand, before the decide time.
    const list2 = Array.from({ length: 100 }, (_, i) => `+5511924${String(i).padStart(6, '0')}`);
    const second = await launchAb(
      list2,
      { testPercent: 50, metric: 'read', decideAfterMinutes: 600, minPerVariant: 10 },
      `h${Date.now()}`,
    );
    await testShareSent(second.id, 50);
    const promoted = await e.v1('POST', `/campaigns/${second.id}/variants/b/promote`);
    expect(promoted.body.winner).toMatchObject({ key: 'b', by: 'hand' });
    await until(
      'completed',
      async () => (await e.v1('GET', `/campaigns/${second.id}`)).body.status === 'completed',
    );
    expect((await allMessages(second.id)).filter((m) => m.variant === 'b')).toHaveLength(75);
  });

  it('counts browser clicks once per recipient, previews and HEAD never; adds UTM and passes fbclid on', async () => {
    await e.control('PATCH', '/settings', { probabilities: { urlClick: 1 } });
    const list = Array.from({ length: 6 }, (_, i) => `+5511925${String(i).padStart(6, '0')}`);
    const audience = await audienceOf(e, optedIn(list, 'Li'));
    const t = await template(`links_${Date.now()}`);
    const c = await e.v1('POST', '/campaigns', {
      name: 'Black Friday — 20 %!',
      templateId: t,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      parameters: bindings('https://shop.example.com/sale?ref=wa', 'Deal'),
    });
    expect(c.status).toBe(201);
    expect((await e.v1('POST', `/campaigns/${c.body.id}/launch`)).status).toBe(200);
    // The sandbox's readers open the link in the button (as a phone's browser does).
    await until('readers clicked', async () => {
      const x = (await e.v1('GET', `/campaigns/${c.body.id}`)).body;
      return x.counts.clicked === 6 && x.status === 'completed';
    });
    await e.control('PATCH', '/settings', { probabilities: { urlClick: 0 } });
    const [m] = await allMessages(c.body.id);
    const link = m.trackedLinks[0];
    expect(link).toMatchObject({ target: 'https://shop.example.com/sale?ref=wa', clicks: 1 });
    expect(link.token).toMatch(/^[0-9A-Za-z]{10,20}$/);

    const r = await click(link.token, BROWSER, 'GET', '?fbclid=IwAR42');
    expect(r.status).toBe(302);
    const to = new URL(r.headers.get('location') as string);
    expect(Object.fromEntries(to.searchParams)).toEqual({
      ref: 'wa',
      utm_source: 'whatsapp',
      utm_medium: 'marketing_message',
      utm_campaign: 'black-friday-20',
      fbclid: 'IwAR42',
    });
    expect((await click(link.token, 'WhatsApp/2.24.10.79 A')).status).toBe(302);
    expect((await click(link.token, 'facebookexternalhit/1.1')).status).toBe(302);
    expect((await click(link.token, BROWSER, 'HEAD')).status).toBe(302);
    const after = (await allMessages(c.body.id)).find((x) => x.id === m.id);
    expect(after.trackedLinks[0]).toMatchObject({ clicks: 2 });
    const counts = (await e.v1('GET', `/campaigns/${c.body.id}`)).body.counts;
    expect(counts.clicked).toBe(6);
    const report = (await e.v1('GET', `/campaigns/${c.body.id}/report`)).body;
    expect(report.funnel.clicked).toBe(6);

    const forged = link.token.slice(0, -1) + (link.token.endsWith('x') ? 'y' : 'x');
    const unknown = await click(forged, BROWSER);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This link does not exist');
    expect((await click('nope', BROWSER)).status).toBe(404);
  });

  it('refuses a tracked link in a button whose URL does not lead to our redirect', async () => {
    const seeded = await e.control('POST', '/templates', {
      wabaId: WABA,
      name: `elsewhere_${Date.now()}`,
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, see {{2}} today', example: { body_text: [['Ana', 'x']] } },
        {
          type: 'BUTTONS',
          buttons: [
            {
              type: 'URL',
              text: 'Go',
              url: 'https://shop.example.com/{{1}}',
              example: ['https://shop.example.com/a'],
            },
          ],
        },
      ],
    });
    await e.v1('POST', '/templates/sync', { businessAccountId: e.accountId });
    const t = (await e.v1('GET', '/templates?limit=1000')).body.data.find(
      (x: { metaTemplateId: string }) => x.metaTemplateId === seeded.id,
    ).id;
    const audience = await audienceOf(e, optedIn(['+5511926000001']));
    const r = await e.v1('POST', '/campaigns', {
      name: 'bad link',
      templateId: t,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      parameters: bindings('https://shop.example.com/sale', 'x'),
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0].field).toBe('parameters.buttons.0');
  });
});
