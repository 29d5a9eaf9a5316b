import { boundFields, renderTemplate, validateBindings, type ContactView } from './render-template';
import type { TemplateDefinition } from './template-model';

const positional: TemplateDefinition = {
  name: 'seasonal_promotion',
  language: 'en_US',
  category: 'MARKETING',
  parameterFormat: 'positional',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Our {{1}} is on!',
      example: { header_text: ['Summer Sale'] },
    },
    {
      type: 'BODY',
      text: 'Hi {{1}}, use code {{2}} to get {{3}} off.',
      example: { body_text: [['Ana', '25OFF', '25%']] },
    },
    { type: 'FOOTER', text: 'Reply STOP to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Stop promotions' },
        {
          type: 'URL',
          text: 'Shop Now',
          url: 'https://shop.example/p?promo={{1}}',
          example: ['x'],
        },
        { type: 'COPY_CODE', text: 'Copy code', example: ['SAVE10'] },
      ],
    },
  ],
};

const named: TemplateDefinition = {
  name: 'order_update',
  language: 'en',
  category: 'UTILITY',
  parameterFormat: 'named',
  components: [
    {
      type: 'BODY',
      text: 'Hello {{first_name}}, order {{order_number}} is on its way.',
      example: {
        body_text_named_params: [
          { param_name: 'first_name', example: 'Pablo' },
          { param_name: 'order_number', example: 'A1' },
        ],
      },
    },
  ],
};

const ana: ContactView = {
  phone: '+5511912345678',
  locale: 'pt_BR',
  timezone: 'America/Sao_Paulo',
  attributes: { firstName: 'Ana', coupon: 'ANA 10|X', tier: { name: 'gold' } },
};

describe('validateBindings', () => {
  it('accepts bindings that fill every placeholder', () => {
    expect(
      validateBindings(positional, {
        header: ['Winter Sale'],
        body: ['{{contact.attributes.firstName}}', '{{contact.attributes.coupon}}', '20%'],
        buttons: [
          { index: 1, text: '{{contact.attributes.coupon}}' },
          { index: 2, text: 'SAVE10' },
        ],
      }),
    ).toEqual([]);
  });

  it('names a wrong count, a missing button value and an unknown field', () => {
    const problems = validateBindings(positional, {
      header: ['Winter Sale'],
      body: ['{{contact.name}}', 'x'],
      buttons: [{ index: 0, text: 'nope' }],
    });
    expect(problems.map((p) => p.message).join('\n')).toMatch(
      /3 placeholder\(s\).*2 value\(s\) given/,
    );
    expect(problems.map((p) => p.message).join('\n')).toMatch(/unknown field \{\{contact.name\}\}/);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/button 1 \(URL\) needs a value/);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/button 0 takes no value/);
  });

  it('wants an object for named templates', () => {
    expect(validateBindings(named, { body: ['a', 'b'] })[0]?.message).toMatch(/give an object/);
    expect(
      validateBindings(named, {
        body: { first_name: 'x', order_number: '{{contact.attributes.order}}' },
      }),
    ).toEqual([]);
  });
});

describe('renderTemplate', () => {
  it('renders positional parameters into Meta send components and a matching preview', () => {
    const r = renderTemplate(
      positional,
      {
        header: ['Winter Sale'],
        body: ['{{contact.attributes.firstName}}', '{{contact.attributes.coupon}}', '20%'],
        buttons: [
          { index: 1, text: '{{contact.attributes.coupon}}' },
          { index: 2, text: 'SAVE10' },
        ],
      },
      ana,
    );
    if (!r.ok) {
      throw new Error('expected a render');
    }
    expect(r.components).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'Winter Sale' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: 'ANA 10|X' },
          { type: 'text', text: '20%' },
        ],
      },
      {
        type: 'button',
        sub_type: 'url',
        index: '1',
        parameters: [{ type: 'text', text: 'ANA%2010%7CX' }],
      },
      {
        type: 'button',
        sub_type: 'copy_code',
        index: '2',
        parameters: [{ type: 'coupon_code', coupon_code: 'SAVE10' }],
      },
    ]);
    expect(r.preview.text).toBe(
      'Our Winter Sale is on!\n\nHi Ana, use code ANA 10|X to get 20% off.\n\nReply STOP to opt out\n\n[Stop promotions] [Shop Now] [SAVE10]',
    );
    expect(r.preview.buttons[1]).toEqual({
      type: 'URL',
      text: 'Shop Now',
      url: 'https://shop.example/p?promo=ANA%2010%7CX',
    });
  });

  it('renders named parameters with their names', () => {
    const r = renderTemplate(
      named,
      {
        body: {
          first_name: '{{contact.attributes.firstName}}',
          order_number: 'Nº {{contact.attributes.tier.name}}',
        },
      },
      ana,
    );
    expect(r).toMatchObject({
      ok: true,
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'first_name', text: 'Ana' },
            { type: 'text', parameter_name: 'order_number', text: 'Nº gold' },
          ],
        },
      ],
    });
  });

  it('skips a contact who lacks a bound attribute instead of failing', () => {
    const r = renderTemplate(
      named,
      { body: { first_name: '{{contact.attributes.nickname}}', order_number: '1' } },
      ana,
    );
    expect(r).toEqual({ ok: false, reason: 'missing_attribute', attribute: 'attributes.nickname' });
  });

  it('treats an empty attribute as missing', () => {
    const r = renderTemplate(
      named,
      { body: { first_name: '{{contact.attributes.firstName}}', order_number: '1' } },
      { ...ana, attributes: { firstName: '  ' } },
    );
    expect(r.ok).toBe(false);
  });

  it('cleans new lines and long runs of spaces that Meta refuses in parameters', () => {
    const r = renderTemplate(
      named,
      { body: { first_name: 'A\nB\tC', order_number: 'x       y' } },
      ana,
    );
    expect(r.ok && r.components[0]?.parameters).toEqual([
      { type: 'text', parameter_name: 'first_name', text: 'A B C' },
      { type: 'text', parameter_name: 'order_number', text: 'x    y' },
    ]);
  });

  it('sends a media header as a link', () => {
    const media: TemplateDefinition = {
      ...named,
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['h'] } },
        ...named.components,
      ],
    };
    const r = renderTemplate(
      media,
      {
        header: { type: 'image', link: 'https://cdn.example/a.png' },
        body: { first_name: 'a', order_number: 'b' },
      },
      ana,
    );
    expect(r.ok && r.components[0]).toEqual({
      type: 'header',
      parameters: [{ type: 'image', image: { link: 'https://cdn.example/a.png' } }],
    });
  });
});

describe('boundFields', () => {
  it('lists the contact fields a campaign reads', () => {
    expect(
      boundFields({
        body: ['{{contact.attributes.firstName}} {{contact.phone}}', 'x'],
        buttons: [{ index: 0, text: '{{ contact.attributes.coupon }}' }],
      }).sort(),
    ).toEqual(['attributes.coupon', 'attributes.firstName', 'phone']);
  });
});
