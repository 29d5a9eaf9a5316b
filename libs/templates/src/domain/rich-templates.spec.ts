import {
  boundFields,
  boundSlots,
  renderTemplate,
  validateBindings,
  type ContactView,
} from './render-template';
import type { TemplateDefinition } from './template-model';
import { validateTemplate } from './validate-template';

const card = (n: number) => ({
  components: [
    { type: 'HEADER' as const, format: 'IMAGE' as const, example: { header_handle: [`h${n}`] } },
    {
      type: 'BODY' as const,
      text: `Card ${n}: now {{1}} in your size`,
      example: { body_text: [['$9']] },
    },
    {
      type: 'BUTTONS' as const,
      buttons: [
        { type: 'QUICK_REPLY' as const, text: 'More like this' },
        {
          type: 'URL' as const,
          text: 'Buy',
          url: 'https://shop.example/p/{{1}}',
          example: ['sku1'],
        },
      ],
    },
  ],
});

const carousel: TemplateDefinition = {
  name: 'summer_carousel',
  language: 'en_US',
  category: 'MARKETING',
  parameterFormat: 'positional',
  components: [
    {
      type: 'BODY',
      text: 'Hi {{1}}, our picks for you this week',
      example: { body_text: [['Ana']] },
    },
    { type: 'CAROUSEL', cards: [card(1), card(2)] },
  ],
};

const lto: TemplateDefinition = {
  name: 'flash_offer',
  language: 'en_US',
  category: 'MARKETING',
  parameterFormat: 'positional',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['h'] } },
    {
      type: 'LIMITED_TIME_OFFER',
      limited_time_offer: { text: 'Ends soon!', has_expiration: true },
    },
    {
      type: 'BODY',
      text: 'Hi {{1}}, take 20% off everything today',
      example: { body_text: [['Ana']] },
    },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'COPY_CODE', text: 'Copy code', example: ['SAVE20'] },
        { type: 'URL', text: 'Shop', url: 'https://shop.example/{{1}}', example: ['x'] },
      ],
    },
  ],
};

const mpm: TemplateDefinition = {
  name: 'picks_mpm',
  language: 'en_US',
  category: 'MARKETING',
  parameterFormat: 'positional',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Picked for you' },
    { type: 'BODY', text: 'Hi {{1}}, these are back in stock', example: { body_text: [['Ana']] } },
    { type: 'BUTTONS', buttons: [{ type: 'MPM', text: 'View items' }] },
  ],
};

const ana: ContactView = {
  phone: '+5511912345678',
  attributes: { firstName: 'Ana', sku: 'blue-elf', code: 'ANA20', endsAt: '2030-01-01T00:00:00Z' },
};

const ltoBindings = {
  body: ['{{contact.attributes.firstName}}'],
  header: { type: 'image' as const, link: 'https://cdn.example/o.png' },
  limitedTimeOffer: { expirationTimeMs: '{{contact.attributes.endsAt}}' },
  buttons: [
    { index: 0, text: '{{contact.attributes.code}}' },
    { index: 1, text: 'flash' },
  ],
};

const fields = (d: TemplateDefinition): string[] => validateTemplate(d).map((p) => p.message);

describe('validateTemplate: rich marketing templates', () => {
  it('accepts a carousel, an offer and an MPM template as Meta does', () => {
    expect(validateTemplate(carousel)).toEqual([]);
    expect(validateTemplate(lto)).toEqual([]);
    expect(validateTemplate(mpm)).toEqual([]);
  });

  it('limits carousels to 2–10 cards of the same shape with media headers', () => {
    const one = {
      ...carousel,
      components: [carousel.components[0]!, { type: 'CAROUSEL' as const, cards: [card(1)] }],
    };
    expect(fields(one).join('\n')).toMatch(/2 to 10 cards; found 1/);
    const eleven = {
      ...carousel,
      components: [
        carousel.components[0]!,
        { type: 'CAROUSEL' as const, cards: Array.from({ length: 11 }, (_, i) => card(i)) },
      ],
    };
    expect(fields(eleven).join('\n')).toMatch(/found 11/);
    const odd = card(2);
    odd.components[2] = { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'More' }] };
    const mixed = {
      ...carousel,
      components: [carousel.components[0]!, { type: 'CAROUSEL' as const, cards: [card(1), odd] }],
    };
    expect(fields(mixed).join('\n')).toMatch(/same components and buttons as card 1/);
    const textHeader = card(2);
    textHeader.components[0] = { type: 'HEADER', format: 'TEXT', text: 'x' } as never;
    const bad = {
      ...carousel,
      components: [
        carousel.components[0]!,
        { type: 'CAROUSEL' as const, cards: [card(1), textHeader] },
      ],
    };
    expect(fields(bad).join('\n')).toMatch(/card header is an IMAGE or a VIDEO/);
    const withFooter = {
      ...carousel,
      components: [...carousel.components, { type: 'FOOTER' as const, text: 'x' }],
    };
    expect(fields(withFooter).join('\n')).toMatch(/BODY and the CAROUSEL only/);
    expect(fields({ ...carousel, category: 'UTILITY' }).join('\n')).toMatch(
      /MARKETING templates only/,
    );
  });

  it('gives an offer no footer, a short banner and its copy-code button first', () => {
    const footer = {
      ...lto,
      components: [
        ...lto.components.slice(0, 3),
        { type: 'FOOTER' as const, text: 'f' },
        lto.components[3]!,
      ],
    };
    expect(fields(footer).join('\n')).toMatch(/has no footer/);
    const long = {
      ...lto,
      components: [
        lto.components[0]!,
        {
          type: 'LIMITED_TIME_OFFER' as const,
          limited_time_offer: { text: 'This offer ends very soon', has_expiration: true },
        },
        ...lto.components.slice(2),
      ],
    };
    expect(fields(long).join('\n')).toMatch(/at most 16/);
    const swapped = {
      ...lto,
      components: [
        ...lto.components.slice(0, 3),
        {
          type: 'BUTTONS' as const,
          buttons: [
            lto.components[3]!.type === 'BUTTONS' ? lto.components[3]!.buttons[1]! : never(),
            { type: 'COPY_CODE' as const, text: 'Copy', example: ['A'] },
          ],
        },
      ],
    };
    expect(fields(swapped).join('\n')).toMatch(/copy-code button comes first/);
  });

  it('wants a text header on MPM templates and a product button alone', () => {
    const noHeader = { ...mpm, components: mpm.components.slice(1) };
    expect(fields(noHeader).join('\n')).toMatch(/needs a TEXT header/);
    const two = {
      ...mpm,
      components: [
        ...mpm.components.slice(0, 2),
        {
          type: 'BUTTONS' as const,
          buttons: [
            { type: 'CATALOG' as const, text: 'View catalog' },
            { type: 'QUICK_REPLY' as const, text: 'Stop' },
          ],
        },
      ],
    };
    expect(fields(two).join('\n')).toMatch(/CATALOG button is the template's only button/);
  });
});

function never(): never {
  throw new Error('unreachable');
}

const carouselBindings = {
  body: ['{{contact.attributes.firstName}}'],
  cards: [
    {
      header: { type: 'image' as const, link: 'https://cdn.example/1.png' },
      body: ['$10'],
      buttons: [
        { index: 0, payload: 'more-1' },
        { index: 1, text: '{{contact.attributes.sku}}' },
      ],
    },
    {
      header: { type: 'image' as const, link: 'https://cdn.example/2.png' },
      body: ['{{contact.attributes.price}}'],
      buttons: [{ index: 1, text: 'red-{{contact.attributes.sku}}' }],
    },
  ],
};

describe('carousel bindings and rendering', () => {
  it('checks one binding per card, each card media, body and URL suffix', () => {
    expect(validateBindings(carousel, carouselBindings)).toEqual([]);
    const short = validateBindings(carousel, {
      ...carouselBindings,
      cards: carouselBindings.cards.slice(0, 1),
    });
    expect(short[0]?.message).toMatch(/2 cards; give one entry per card \(1 given\)/);
    const noSuffix = validateBindings(carousel, {
      ...carouselBindings,
      cards: [
        carouselBindings.cards[0]!,
        { ...carouselBindings.cards[1]!, buttons: [], body: ['x', 'y'] },
      ],
    });
    expect(noSuffix.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/card 2 body has 1 placeholder/),
        'card 2 button 2 (URL suffix) needs a value',
      ]),
    );
    const video = validateBindings(carousel, {
      ...carouselBindings,
      cards: [
        {
          ...carouselBindings.cards[0]!,
          header: { type: 'video', link: 'https://cdn.example/v.mp4' },
        },
        carouselBindings.cards[1]!,
      ],
    });
    expect(video[0]).toEqual({
      field: 'parameters.cards[0].header',
      message: 'card 1 header is IMAGE, not video',
    });
  });

  it("sends Meta's carousel shape with each card's own values, and previews each card", () => {
    const r = renderTemplate(carousel, carouselBindings, {
      ...ana,
      attributes: { ...ana.attributes, price: '$12' },
    });
    if (!r.ok) {
      throw new Error(JSON.stringify(r));
    }
    expect(r.components).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
      {
        type: 'carousel',
        cards: [
          {
            card_index: 0,
            components: [
              {
                type: 'header',
                parameters: [{ type: 'image', image: { link: 'https://cdn.example/1.png' } }],
              },
              { type: 'body', parameters: [{ type: 'text', text: '$10' }] },
              {
                type: 'button',
                sub_type: 'quick_reply',
                index: '0',
                parameters: [{ type: 'payload', payload: 'more-1' }],
              },
              {
                type: 'button',
                sub_type: 'url',
                index: '1',
                parameters: [{ type: 'text', text: 'blue-elf' }],
              },
            ],
          },
          {
            card_index: 1,
            components: [
              {
                type: 'header',
                parameters: [{ type: 'image', image: { link: 'https://cdn.example/2.png' } }],
              },
              { type: 'body', parameters: [{ type: 'text', text: '$12' }] },
              {
                type: 'button',
                sub_type: 'url',
                index: '1',
                parameters: [{ type: 'text', text: 'red-blue-elf' }],
              },
            ],
          },
        ],
      },
    ]);
    expect(r.preview.cards[1]).toEqual({
      cardIndex: 1,
      header: '[image] https://cdn.example/2.png',
      body: 'Card 2: now $12 in your size',
      buttons: [
        { type: 'QUICK_REPLY', text: 'More like this' },
        { type: 'URL', text: 'Buy', url: 'https://shop.example/p/red-blue-elf' },
      ],
    });
  });

  it('keeps tracked links to the header, the body and top-level URL buttons', () => {
    const linked = {
      ...carouselBindings,
      cards: [
        carouselBindings.cards[0]!,
        {
          ...carouselBindings.cards[1]!,
          buttons: [{ index: 1, text: '{{link:https://shop.example/sale}}' }],
        },
      ],
    };
    expect(validateBindings(carousel, linked)).toEqual([
      {
        field: 'parameters.cards[1].buttons[index=1].text',
        message:
          'card 2 button 2 (URL suffix): tracked links go in the header, the body or a top-level URL button',
      },
    ]);
  });

  it('names every per-card slot and the fields it reads', () => {
    const slots = boundSlots(carousel, carouselBindings).filter((s) =>
      s.binding?.includes('contact'),
    );
    expect(slots.map((s) => s.location)).toEqual([
      'body param 1',
      'card 1 button 2 (URL suffix)',
      'card 2 body param 1',
      'card 2 button 2 (URL suffix)',
    ]);
    expect(boundFields(carouselBindings).sort()).toEqual([
      'attributes.firstName',
      'attributes.price',
      'attributes.sku',
    ]);
  });
});

describe('offer, coupon and product bindings', () => {
  it('sends the expiry as epoch milliseconds and the code as a coupon_code', () => {
    const r = renderTemplate(lto, ltoBindings, ana);
    if (!r.ok) {
      throw new Error(JSON.stringify(r));
    }
    expect(r.components).toContainEqual({
      type: 'limited_time_offer',
      parameters: [
        {
          type: 'limited_time_offer',
          limited_time_offer: { expiration_time_ms: Date.parse('2030-01-01T00:00:00Z') },
        },
      ],
    });
    expect(r.components).toContainEqual({
      type: 'button',
      sub_type: 'copy_code',
      index: '0',
      parameters: [{ type: 'coupon_code', coupon_code: 'ANA20' }],
    });
    expect(r.preview.limitedTimeOffer).toEqual({
      text: 'Ends soon!',
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('refuses literal values Meta would refuse and reports a contact value that breaks the rule', () => {
    const problems = validateBindings(lto, {
      ...ltoBindings,
      limitedTimeOffer: { expirationTimeMs: 'tomorrow' },
      buttons: [
        { index: 0, text: 'THIS-CODE-IS-TOO-LONG' },
        { index: 1, text: 'x' },
      ],
    });
    expect(problems.map((p) => p.message)).toEqual([
      'limited-time offer expiry: "tomorrow" is not an expiry time (epoch milliseconds or ISO-8601)',
      'button 1 (coupon code): coupon code "THIS-CODE-IS-TOO-LONG" has 21 characters; at most 15',
    ]);
    expect(validateBindings(lto, { ...ltoBindings, limitedTimeOffer: undefined })[0]?.message).toBe(
      'limited-time offer expiry needs a value',
    );
    const r = renderTemplate(lto, ltoBindings, {
      ...ana,
      attributes: { ...ana.attributes, code: 'has space' },
    });
    expect(r).toEqual({
      ok: false,
      reason: 'invalid_parameter',
      attribute: 'attributes.code',
      location: 'button 1 (coupon code)',
      message: 'button 1 (coupon code): coupon code "has space" contains spaces',
    });
  });

  it("sends an MPM button's thumbnail and sections in Meta's action shape", () => {
    const b = {
      body: ['{{contact.attributes.firstName}}'],
      buttons: [
        {
          index: 0,
          thumbnailProductRetailerId: '{{contact.attributes.sku}}',
          sections: [
            { title: 'Back in stock', productRetailerIds: ['{{contact.attributes.sku}}', 'sku-2'] },
          ],
        },
      ],
    };
    expect(validateBindings(mpm, b)).toEqual([]);
    const r = renderTemplate(mpm, b, ana);
    expect(r.ok && r.components[1]).toEqual({
      type: 'button',
      sub_type: 'mpm',
      index: '0',
      parameters: [
        {
          type: 'action',
          action: {
            thumbnail_product_retailer_id: 'blue-elf',
            sections: [
              {
                title: 'Back in stock',
                product_items: [
                  { product_retailer_id: 'blue-elf' },
                  { product_retailer_id: 'sku-2' },
                ],
              },
            ],
          },
        },
      ],
    });
    expect(
      validateBindings(mpm, {
        ...b,
        buttons: [{ index: 0, thumbnailProductRetailerId: 'x', sections: [] }],
      })[0]?.message,
    ).toMatch(/needs 1 to 10 sections/);
    expect(
      validateBindings(mpm, { ...b, buttons: [{ index: 0, text: 'x' }] }).map((p) => p.message),
    ).toContain('button 0 takes no value');
  });

  it('keeps the old button binding { index, text } working', () => {
    expect(
      validateBindings(lto, {
        ...ltoBindings,
        buttons: [
          { index: 0, text: 'SAVE20' },
          { index: 1, text: 'x' },
        ],
      }),
    ).toEqual([]);
  });
});

describe('copy-code lengths: a coupon template takes 20 characters, a limited-time offer 15', () => {
  // Meta's coupon code templates page (2025-12) allows 20; its limited-time offer page keeps 15.
  const coupon: TemplateDefinition = {
    name: 'winter_coupon',
    language: 'en_US',
    category: 'MARKETING',
    parameterFormat: 'positional',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, here is your code', example: { body_text: [['Ana']] } },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'COPY_CODE', text: 'Copy code', example: ['fLBponPDsqF0KQThzkrf'] }],
      },
    ],
  };
  const bindings = {
    body: ['{{contact.attributes.firstName}}'],
    buttons: [{ index: 0, text: '{{contact.attributes.code}}' }],
  };
  const withCode = (code: string): ContactView => ({
    ...ana,
    attributes: { ...ana.attributes, code },
  });

  it('accepts a 20-character example and code in a coupon template, not 21', () => {
    expect(fields(coupon)).toEqual([]);
    const tooLong = {
      ...coupon,
      components: [
        coupon.components[0]!,
        {
          type: 'BUTTONS' as const,
          buttons: [{ type: 'COPY_CODE' as const, text: 'Copy', example: ['A'.repeat(21)] }],
        },
      ],
    };
    expect(fields(tooLong)).toEqual(['a code may have at most 20 characters']);
    const r = renderTemplate(coupon, bindings, withCode('B'.repeat(20)));
    expect(r.ok).toBe(true);
    expect(renderTemplate(coupon, bindings, withCode('B'.repeat(21)))).toMatchObject({
      ok: false,
      reason: 'invalid_parameter',
      message: `button 1 (coupon code): coupon code "${'B'.repeat(21)}" has 21 characters; at most 20`,
    });
    expect(boundSlots(coupon, bindings).find((s) => s.location.includes('coupon'))?.kind).toBe(
      'coupon_code',
    );
  });

  it('keeps 15 for the offer code of a limited-time offer', () => {
    const sixteen = {
      ...lto,
      components: lto.components.map((c) =>
        c.type === 'BUTTONS'
          ? {
              ...c,
              buttons: c.buttons.map((b) =>
                b.type === 'COPY_CODE' ? { ...b, example: ['C'.repeat(16)] } : b,
              ),
            }
          : c,
      ),
    };
    expect(fields(sixteen)).toEqual(['a code may have at most 15 characters']);
    const b = ltoBindings;
    expect(renderTemplate(lto, b, withCode('D'.repeat(15))).ok).toBe(true);
    expect(renderTemplate(lto, b, withCode('D'.repeat(16)))).toMatchObject({ ok: false });
    expect(boundSlots(lto, b).find((s) => s.location.includes('coupon'))?.kind).toBe('offer_code');
  });
});
