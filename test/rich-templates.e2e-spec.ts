import { http } from './support/apps';
import { PHONE_NUMBER_ID, TOKEN, phones, startEngine, until, type Engine } from './support/engine';

// Rich marketing templates end to end (MMLITE-2026 §1 row 20, §3 row 1): created through the API
// and mirrored at the sandbox, validated, previewed per card, every per-card and per-button value
// bound from contact fields or literals, sent in Meta's shape and checked by the sandbox as Meta does.

interface Person {
  phone: string;
  attributes: Record<string, unknown>;
}

const image = (n: number) => ({
  type: 'HEADER',
  format: 'IMAGE',
  example: { header_handle: [`4::aW1hZ2U${n}`] },
});

const carouselCard = (n: number) => ({
  components: [
    image(n),
    {
      type: 'BODY',
      text: `Pick ${n}: now only {{1}} at our {{2}} store this week`,
      example: { body_text: [['$9', 'Lisbon']] },
    },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'More like this' },
        { type: 'URL', text: 'Buy', url: 'https://shop.example.com/p/{{1}}', example: ['sku1'] },
      ],
    },
  ],
});

const carouselBindings = (secondCity = '{{contact.attributes.city}}') => ({
  body: ['{{contact.attributes.firstName}}'],
  cards: [
    {
      header: { type: 'image', link: 'https://cdn.example.com/a.png' },
      body: ['{{contact.attributes.priceA}}', '{{contact.attributes.city}}'],
      buttons: [
        { index: 0, payload: 'more-a' },
        { index: 1, text: '{{contact.attributes.sku}}' },
      ],
    },
    {
      header: { type: 'image', link: 'https://cdn.example.com/b.png' },
      body: ['$20', secondCity],
      buttons: [{ index: 1, text: 'b-{{contact.attributes.sku}}' }],
    },
  ],
});

describe('rich marketing templates end to end (API, worker, sandbox)', () => {
  let e: Engine;
  let carousel: string;
  let flash: string;
  let catalog: string;
  let mpm: string;

  async function createApproved(body: Record<string, unknown>): Promise<string> {
    const created = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      language: 'en_US',
      category: 'MARKETING',
      ...body,
    });
    if (created.status !== 201) {
      throw new Error(`create template: ${created.status} ${created.text}`);
    }
    await until(`template ${String(body.name)} approved`, async () => {
      const t = await e.v1('GET', `/templates/${created.body.id}`);
      return t.body.status === 'APPROVED';
    });
    return created.body.id as string;
  }

  async function audience(people: Person[]): Promise<string> {
    const aud = await e.v1('POST', '/audiences', { name: `rich ${Math.random()}` });
    for (const p of people) {
      const c = await e.v1('POST', '/contacts', { phone: p.phone, attributes: p.attributes });
      expect(c.status).toBeLessThan(300);
      const r = await e.v1('POST', '/consents', {
        phone: p.phone,
        status: 'opted_in',
        source: 'test-form',
      });
      expect(r.status).toBeLessThan(300);
    }
    const m = await e.v1('POST', `/audiences/${aud.body.id}/members`, {
      phones: people.map((p) => p.phone),
    });
    expect(m.status).toBeLessThan(300);
    return aud.body.id as string;
  }

  async function campaign(
    templateId: string,
    audienceId: string,
    parameters: unknown,
  ): Promise<string> {
    const res = await e.v1('POST', '/campaigns', {
      name: 'rich',
      templateId,
      audienceId,
      phoneNumberId: e.phoneId,
      parameters,
    });
    if (res.status !== 201) {
      throw new Error(`create campaign: ${res.status} ${res.text}`);
    }
    return res.body.id as string;
  }

  async function launchAndFinish(id: string): Promise<any> {
    const launched = await e.v1('POST', `/campaigns/${id}/launch`);
    expect(launched.status).toBe(200);
    return until('campaign completed', async () => {
      const c = await e.v1('GET', `/campaigns/${id}`);
      return c.body.status === 'completed' && c.body;
    });
  }

  /** The template components the sandbox accepted for one recipient (its last message). */
  async function received(phone: string): Promise<any> {
    const res = await http(
      e.sandbox.url,
      'GET',
      `/_sandbox/messages?to=${encodeURIComponent(phone)}`,
    );
    const last = res.body.data[res.body.data.length - 1];
    return last?.template?.components;
  }

  beforeAll(async () => {
    e = await startEngine();
    carousel = await createApproved({
      name: 'rt_carousel',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, here are our picks for you this week',
          example: { body_text: [['Ana']] },
        },
        { type: 'CAROUSEL', cards: [carouselCard(1), carouselCard(2)] },
      ],
    });
    flash = await createApproved({
      name: 'rt_flash',
      components: [
        image(9),
        {
          type: 'LIMITED_TIME_OFFER',
          limited_time_offer: { text: 'Ends soon!', has_expiration: true },
        },
        {
          type: 'BODY',
          text: 'Hi {{1}}, take 20% off everything with this code today',
          example: { body_text: [['Ana']] },
        },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'COPY_CODE', text: 'Copy code', example: ['SAVE20'] },
            {
              type: 'URL',
              text: 'Shop now',
              url: 'https://shop.example.com/sale/{{1}}',
              example: ['flash'],
            },
          ],
        },
      ],
    });
    catalog = await createApproved({
      name: 'rt_catalog',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, our new arrivals are in the catalog now',
          example: { body_text: [['Ana']] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'CATALOG', text: 'View catalog' }] },
      ],
    });
    mpm = await createApproved({
      name: 'rt_mpm',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Back in stock for you' },
        {
          type: 'BODY',
          text: 'Hi {{1}}, the items you liked are back in stock',
          example: { body_text: [['Ana']] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'MPM', text: 'View items' }] },
      ],
    });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('refuses a carousel Meta would refuse, with the place of each problem', async () => {
    const res = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      name: 'rt_bad_carousel',
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, our picks', example: { body_text: [['Ana']] } },
        { type: 'CAROUSEL', cards: [carouselCard(1)] },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
      ],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.details)).toMatch(/2 to 10 cards; found 1/);
    expect(JSON.stringify(res.body.details)).toMatch(/BODY and the CAROUSEL only/);
  });

  it('sends a carousel with per-card values per recipient, and previews each card', async () => {
    const [p1, p2] = phones(2, 801);
    const people: Person[] = [
      { phone: p1!, attributes: { firstName: 'Ana', priceA: '$9', city: 'Lisbon', sku: 'elf-1' } },
      { phone: p2!, attributes: { firstName: 'Bo', priceA: '$11', city: 'Porto', sku: 'elf 2' } },
    ];
    const aud = await audience(people);
    const id = await campaign(carousel, aud, carouselBindings());

    const plan = await e.v1('GET', `/campaigns/${id}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ eligible: 2, bindings: [] });

    const contact = await e.v1('POST', '/contacts', {
      phone: p2,
      attributes: people[1]!.attributes,
    });
    const preview = await e.v1('POST', `/templates/${carousel}/preview`, {
      contactId: contact.body.id,
      parameters: carouselBindings(),
    });
    expect(preview.status).toBe(200);
    expect(preview.body.rendered).toBe(true);
    expect(preview.body.body).toBe('Hi Bo, here are our picks for you this week');
    expect(preview.body.cards).toEqual([
      {
        cardIndex: 0,
        header: '[image] https://cdn.example.com/a.png',
        body: 'Pick 1: now only $11 at our Porto store this week',
        buttons: [
          { type: 'QUICK_REPLY', text: 'More like this' },
          { type: 'URL', text: 'Buy', url: 'https://shop.example.com/p/elf%202' },
        ],
      },
      {
        cardIndex: 1,
        header: '[image] https://cdn.example.com/b.png',
        body: 'Pick 2: now only $20 at our Porto store this week',
        buttons: [
          { type: 'QUICK_REPLY', text: 'More like this' },
          { type: 'URL', text: 'Buy', url: 'https://shop.example.com/p/b-elf%202' },
        ],
      },
    ]);

    const done = await launchAndFinish(id);
    expect(done.counts).toMatchObject({ sent: 2, failed: 0, skipped: 0 });
    for (const p of people) {
      const a = p.attributes as Record<string, string>;
      const sku = encodeURIComponent(a.sku as string);
      expect(await received(p.phone)).toEqual([
        { type: 'body', parameters: [{ type: 'text', text: a.firstName }] },
        {
          type: 'carousel',
          cards: [
            {
              card_index: 0,
              components: [
                {
                  type: 'header',
                  parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/a.png' } }],
                },
                {
                  type: 'body',
                  parameters: [
                    { type: 'text', text: a.priceA },
                    { type: 'text', text: a.city },
                  ],
                },
                {
                  type: 'button',
                  sub_type: 'quick_reply',
                  index: '0',
                  parameters: [{ type: 'payload', payload: 'more-a' }],
                },
                {
                  type: 'button',
                  sub_type: 'url',
                  index: '1',
                  parameters: [{ type: 'text', text: sku }],
                },
              ],
            },
            {
              card_index: 1,
              components: [
                {
                  type: 'header',
                  parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/b.png' } }],
                },
                {
                  type: 'body',
                  parameters: [
                    { type: 'text', text: '$20' },
                    { type: 'text', text: a.city },
                  ],
                },
                {
                  type: 'button',
                  sub_type: 'url',
                  index: '1',
                  parameters: [{ type: 'text', text: `b-${sku}` }],
                },
              ],
            },
          ],
        },
      ]);
    }
  });

  it('catches binding failures at plan time with the component and index, and refuses the launch', async () => {
    const people: Person[] = phones(3, 802).map((phone, i) => ({
      phone,
      attributes: {
        firstName: `P${i}`,
        priceA: '$9',
        sku: `s${i}`,
        ...(i === 0 ? {} : { city: 'Faro' }),
      },
    }));
    const aud = await audience(people);
    // card 2 body param 2 bound to a field no contact has: nobody could be sent to.
    const wrong = await campaign(carousel, aud, carouselBindings('{{contact.attributes.town}}'));
    const plan = await e.v1('GET', `/campaigns/${wrong}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.bindings).toEqual(
      expect.arrayContaining([
        {
          location: 'card 1 body param 2',
          field: 'parameters.cards[0].body[1]',
          variant: null,
          kind: 'missing_field',
          contactField: 'attributes.city',
          contacts: 1,
          blocking: false,
          message:
            "card 1 body param 2: contact field 'attributes.city' missing for 1 contact (they are skipped)",
        },
        expect.objectContaining({
          location: 'card 2 body param 2',
          field: 'parameters.cards[1].body[1]',
          contactField: 'attributes.town',
          contacts: 3,
          blocking: true,
        }),
      ]),
    );
    const refused = await e.v1('POST', `/campaigns/${wrong}/launch`);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      {
        field: 'parameters.cards[1].body[1]',
        problems: [
          "card 2 body param 2: contact field 'attributes.town' missing for 3 contacts (every contact of the target: nobody could be sent to)",
        ],
      },
    ]);
    expect((await e.v1('GET', `/campaigns/${wrong}`)).body.status).toBe('draft');

    // A coupon code from a contact field that Meta would refuse (132012) for one contact.
    const codes = await audience(
      phones(2, 803).map((phone, i) => ({
        phone,
        attributes: {
          firstName: 'C',
          code: i === 0 ? 'OK20' : 'WAY-TOO-LONG-CODE-20',
          ends: new Date(Date.now() + 86_400_000).toISOString(),
        },
      })),
    );
    const badCode = await campaign(flash, codes, {
      header: { type: 'image', link: 'https://cdn.example.com/o.png' },
      limitedTimeOffer: { expirationTimeMs: '{{contact.attributes.ends}}' },
      body: ['{{contact.attributes.firstName}}'],
      buttons: [
        { index: 0, text: '{{contact.attributes.code}}' },
        { index: 1, text: 'flash' },
      ],
    });
    const codePlan = await e.v1('GET', `/campaigns/${badCode}/plan`);
    expect(codePlan.body.bindings).toEqual([
      expect.objectContaining({
        location: 'button 1 (coupon code)',
        kind: 'invalid_value',
        contactField: 'attributes.code',
        contacts: 1,
        blocking: true,
      }),
    ]);
    expect((await e.v1('POST', `/campaigns/${badCode}/launch`)).status).toBe(400);

    // A literal Meta would refuse is refused when the campaign is created.
    const literal = await e.v1('POST', '/campaigns', {
      name: 'bad literal',
      templateId: flash,
      audienceId: codes,
      phoneNumberId: e.phoneId,
      parameters: {
        header: { type: 'image', link: 'https://cdn.example.com/o.png' },
        limitedTimeOffer: { expirationTimeMs: 'next friday' },
        body: ['x'],
        buttons: [
          { index: 0, text: 'OK' },
          { index: 1, text: 'flash' },
        ],
      },
    });
    expect(literal.status).toBe(400);
    expect(JSON.stringify(literal.body.details)).toMatch(
      /limited-time offer expiry: \\"next friday\\" is not an expiry time/,
    );
  });

  it('sends a limited-time offer with its expiry and a coupon code per recipient', async () => {
    const ends = new Date(Date.now() + 3 * 86_400_000);
    const people: Person[] = phones(2, 804).map((phone, i) => ({
      phone,
      attributes: { firstName: `L${i}`, code: `CODE${i}`, ends: ends.toISOString() },
    }));
    const id = await campaign(flash, await audience(people), {
      header: { type: 'image', link: 'https://cdn.example.com/o.png' },
      limitedTimeOffer: { expirationTimeMs: '{{contact.attributes.ends}}' },
      body: ['{{contact.attributes.firstName}}'],
      buttons: [
        { index: 0, text: '{{contact.attributes.code}}' },
        { index: 1, text: 'flash' },
      ],
    });
    expect((await e.v1('GET', `/campaigns/${id}/plan`)).body.bindings).toEqual([]);
    // An expiry may also be given as a JSON number of epoch milliseconds.
    const preview = await e.v1('POST', `/templates/${flash}/preview`, {
      attributes: { firstName: 'Pat' },
      parameters: {
        header: { type: 'image', link: 'https://cdn.example.com/o.png' },
        limitedTimeOffer: { expirationTimeMs: ends.getTime() },
        body: ['{{contact.attributes.firstName}}'],
        buttons: [
          { index: 0, text: 'PAT20' },
          { index: 1, text: 'flash' },
        ],
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      rendered: true,
      limitedTimeOffer: { text: 'Ends soon!', expiresAt: ends.toISOString() },
      buttons: [
        { type: 'COPY_CODE', text: 'PAT20' },
        { type: 'URL', text: 'Shop now' },
      ],
    });
    const done = await launchAndFinish(id);
    expect(done.counts).toMatchObject({ sent: 2, failed: 0 });
    for (const [i, p] of people.entries()) {
      expect(await received(p.phone)).toEqual([
        {
          type: 'header',
          parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/o.png' } }],
        },
        {
          type: 'limited_time_offer',
          parameters: [
            {
              type: 'limited_time_offer',
              limited_time_offer: { expiration_time_ms: ends.getTime() },
            },
          ],
        },
        { type: 'body', parameters: [{ type: 'text', text: `L${i}` }] },
        {
          type: 'button',
          sub_type: 'copy_code',
          index: '0',
          parameters: [{ type: 'coupon_code', coupon_code: `CODE${i}` }],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '1',
          parameters: [{ type: 'text', text: 'flash' }],
        },
      ]);
    }
  });

  it('sends catalog and multi-product templates with their products', async () => {
    const people: Person[] = phones(1, 805).map((phone) => ({
      phone,
      attributes: { firstName: 'Kim', sku: 'elf-9' },
    }));
    const aud = await audience(people);
    const cat = await campaign(catalog, aud, {
      body: ['{{contact.attributes.firstName}}'],
      buttons: [{ index: 0, thumbnailProductRetailerId: '{{contact.attributes.sku}}' }],
    });
    await launchAndFinish(cat);
    expect(await received(people[0]!.phone)).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Kim' }] },
      {
        type: 'button',
        sub_type: 'catalog',
        index: '0',
        parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: 'elf-9' } }],
      },
    ]);
    const multi = await campaign(mpm, aud, {
      body: ['{{contact.attributes.firstName}}'],
      buttons: [
        {
          index: 0,
          thumbnailProductRetailerId: '{{contact.attributes.sku}}',
          sections: [
            { title: 'You liked', productRetailerIds: ['{{contact.attributes.sku}}'] },
            { title: 'New', productRetailerIds: ['new-1', 'new-2'] },
          ],
        },
      ],
    });
    await launchAndFinish(multi);
    expect(await received(people[0]!.phone)).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Kim' }] },
      {
        type: 'button',
        sub_type: 'mpm',
        index: '0',
        parameters: [
          {
            type: 'action',
            action: {
              thumbnail_product_retailer_id: 'elf-9',
              sections: [
                { title: 'You liked', product_items: [{ product_retailer_id: 'elf-9' }] },
                {
                  title: 'New',
                  product_items: [
                    { product_retailer_id: 'new-1' },
                    { product_retailer_id: 'new-2' },
                  ],
                },
              ],
            },
          },
        ],
      },
    ]);
  });

  it('answers 132000 and 132012 for hand-made mismatches, per card and per button', async () => {
    const send = (components: unknown[], name = 'rt_carousel') =>
      http(e.sandbox.url, 'POST', `/v24.0/${PHONE_NUMBER_ID}/marketing_messages`, {
        key: TOKEN,
        body: {
          messaging_product: 'whatsapp',
          to: '5511980600001',
          type: 'template',
          template: { name, language: { code: 'en_US' }, components },
        },
      });
    const body = { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] };
    const cardOf = (index: number, header: unknown, params: unknown[]) => ({
      card_index: index,
      components: [
        { type: 'header', parameters: [header] },
        { type: 'body', parameters: params },
        {
          type: 'button',
          sub_type: 'url',
          index: '1',
          parameters: [{ type: 'text', text: 'x' }],
        },
      ],
    });
    const img = { type: 'image', image: { link: 'https://cdn.example.com/a.png' } };
    const two = [
      { type: 'text', text: '$1' },
      { type: 'text', text: 'Faro' },
    ];
    const ok = await send([
      body,
      { type: 'carousel', cards: [cardOf(0, img, two), cardOf(1, img, two)] },
    ]);
    expect(ok.status).toBe(200);

    const cases: Array<[string, unknown[], number, RegExp, string?]> = [
      [
        'one card of two',
        [body, { type: 'carousel', cards: [cardOf(0, img, two)] }],
        132000,
        /number of cards \(1\)/,
      ],
      [
        'card 1 body with one parameter of two',
        [body, { type: 'carousel', cards: [cardOf(0, img, two), cardOf(1, img, two.slice(0, 1))] }],
        132000,
        /card 1 body/,
      ],
      [
        'a video header on an image card',
        [
          body,
          {
            type: 'carousel',
            cards: [
              cardOf(0, img, two),
              cardOf(1, { type: 'video', video: { link: 'https://v' } }, two),
            ],
          },
        ],
        132012,
        /card 1 header/,
      ],
      ['no carousel at all', [body], 132000, /carousel/],
      [
        'a copy-code button given text',
        [
          { type: 'header', parameters: [img] },
          {
            type: 'limited_time_offer',
            parameters: [
              {
                type: 'limited_time_offer',
                limited_time_offer: { expiration_time_ms: 1893456000000 },
              },
            ],
          },
          body,
          {
            type: 'button',
            sub_type: 'copy_code',
            index: 0,
            parameters: [{ type: 'text', text: 'X' }],
          },
          { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'x' }] },
        ],
        132012,
        /button 0: a copy_code button takes one coupon_code/,
        'rt_flash',
      ],
      [
        'an expiry that is not epoch milliseconds',
        [
          { type: 'header', parameters: [img] },
          {
            type: 'limited_time_offer',
            parameters: [
              { type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 'soon' } },
            ],
          },
          body,
          {
            type: 'button',
            sub_type: 'copy_code',
            index: 0,
            parameters: [{ type: 'coupon_code', coupon_code: 'X' }],
          },
          { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'x' }] },
        ],
        132012,
        /expiration_time_ms/,
        'rt_flash',
      ],
      [
        'an mpm button without sections',
        [
          body,
          {
            type: 'button',
            sub_type: 'mpm',
            index: 0,
            parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: 'a' } }],
          },
        ],
        132012,
        /mpm action needs 1 to 10 sections/,
        'rt_mpm',
      ],
    ];
    for (const [what, components, code, details, name] of cases) {
      const res = await send(components, name);
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({
        what,
        status: 400,
        code,
      });
      expect(JSON.stringify(res.body.error)).toMatch(details);
    }
  });
});
