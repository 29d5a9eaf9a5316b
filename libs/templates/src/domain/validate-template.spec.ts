import type { TemplateComponent, TemplateDefinition } from './template-model';
import { ttlProblems, validateTemplate } from './validate-template';

function template(over: Partial<TemplateDefinition> = {}): TemplateDefinition {
  return {
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
        text: 'Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.',
        example: { body_text: [['the end of August', '25OFF', '25%']] },
      },
      { type: 'FOOTER', text: 'Use the buttons below to manage your marketing subscriptions' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Unsubscribe from Promos' },
          {
            type: 'URL',
            text: 'Shop Now',
            url: 'https://www.luckyshrub.com/shop?promo={{1}}',
            example: ['summer2023'],
          },
        ],
      },
    ],
    ...over,
  };
}

function withComponent(index: number, c: TemplateComponent): TemplateDefinition {
  const t = template();
  t.components[index] = c;
  return t;
}

function fields(def: TemplateDefinition): string[] {
  return validateTemplate(def).map((p) => p.field);
}

function messages(def: TemplateDefinition): string {
  return validateTemplate(def)
    .map((p) => `${p.field}: ${p.message}`)
    .join('\n');
}

describe('validateTemplate', () => {
  it("accepts Meta's own seasonal_promotion example", () => {
    expect(validateTemplate(template())).toEqual([]);
  });

  it.each(['Seasonal', 'has space', 'dash-name', '', 'a'.repeat(513)])(
    'rejects the name %p',
    (name) => {
      expect(fields(template({ name }))).toEqual(['name']);
    },
  );

  it.each(['english', 'EN', 'en-US', 'e'])('rejects the language %p', (language) => {
    expect(fields(template({ language }))).toEqual(['language']);
  });

  it('rejects AUTHENTICATION and unknown categories', () => {
    expect(fields(template({ category: 'AUTHENTICATION' as never }))).toEqual(['category']);
  });

  it('needs a body', () => {
    const t = template();
    t.components = t.components.filter((c) => c.type !== 'BODY');
    expect(messages(t)).toMatch(/needs a BODY/);
  });

  it('refuses two bodies and components out of order', () => {
    const t = template();
    t.components.push({ type: 'BODY', text: 'again and again' });
    expect(messages(t)).toMatch(/only one BODY/);
    const reordered = template();
    reordered.components = [reordered.components[1]!, reordered.components[0]!];
    expect(messages(reordered)).toMatch(/order HEADER, BODY, FOOTER, BUTTONS/);
  });

  it('limits header text to 60 characters and one placeholder with its example', () => {
    expect(
      messages(withComponent(0, { type: 'HEADER', format: 'TEXT', text: 'x'.repeat(61) })),
    ).toMatch(/header text is 61 characters; at most 60/);
    expect(
      messages(
        withComponent(0, {
          type: 'HEADER',
          format: 'TEXT',
          text: 'Hello {{1}} and {{2}} here',
          example: { header_text: ['a', 'b'] },
        }),
      ),
    ).toMatch(/at most one placeholder/);
    expect(
      fields(withComponent(0, { type: 'HEADER', format: 'TEXT', text: 'Our {{1}} is on!' })),
    ).toEqual(['components[0].example.header_text']);
  });

  it('needs an example handle for a media header', () => {
    expect(fields(withComponent(0, { type: 'HEADER', format: 'IMAGE' }))).toEqual([
      'components[0].example.header_handle',
    ]);
    expect(
      validateTemplate(
        withComponent(0, {
          type: 'HEADER',
          format: 'IMAGE',
          example: { header_handle: ['4::aW'] },
        }),
      ),
    ).toEqual([]);
  });

  it('limits the body to 1024 characters', () => {
    expect(messages(withComponent(1, { type: 'BODY', text: 'y'.repeat(1025) }))).toMatch(
      /body is 1025 characters/,
    );
  });

  it('needs placeholders numbered from 1 without gaps', () => {
    const t = withComponent(1, {
      type: 'BODY',
      text: 'Hello {{1}}, your code is {{3}} today',
      example: { body_text: [['a', 'b']] },
    });
    expect(messages(t)).toMatch(/numbered from \{\{1\}\} without gaps/);
  });

  it('needs one example per body placeholder', () => {
    const t = withComponent(1, {
      type: 'BODY',
      text: 'Hello {{1}}, your code is {{2}} today',
      example: { body_text: [['a']] },
    });
    expect(messages(t)).toMatch(/1 example\(s\) for 2 placeholder\(s\)/);
    const none = withComponent(1, { type: 'BODY', text: 'Hello {{1}}, welcome back to the shop' });
    expect(fields(none)).toEqual(['components[1].example.body_text']);
  });

  it('refuses a placeholder at the start or end, or two side by side', () => {
    expect(
      messages(
        withComponent(1, {
          type: 'BODY',
          text: '{{1}} is your code for today',
          example: { body_text: [['x']] },
        }),
      ),
    ).toMatch(/start or the end/);
    expect(
      messages(
        withComponent(1, {
          type: 'BODY',
          text: 'Your codes are {{1}} {{2}} for the sale today',
          example: { body_text: [['a', 'b']] },
        }),
      ),
    ).toMatch(/next to each other/);
  });

  it('refuses bodies that are mostly placeholders', () => {
    const t = withComponent(1, {
      type: 'BODY',
      text: 'Hi {{1}}, {{2}}, {{3}}!',
      example: { body_text: [['a', 'b', 'c']] },
    });
    expect(messages(t)).toMatch(/need more surrounding text/);
  });

  it('checks named placeholders and their examples', () => {
    const named = template({
      parameterFormat: 'named',
      components: [
        {
          type: 'BODY',
          text: 'Hello {{first_name}}, your order {{order_number}} has shipped today',
          example: { body_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }] },
        },
      ],
    });
    expect(messages(named)).toMatch(/missing examples for \{\{order_number\}\}/);
    const upper = template({
      parameterFormat: 'named',
      components: [
        {
          type: 'BODY',
          text: 'Hello {{FirstName}} and welcome back',
          example: { body_text_named_params: [{ param_name: 'FirstName', example: 'x' }] },
        },
      ],
    });
    expect(messages(upper)).toMatch(/lowercase/);
  });

  it('limits and forbids placeholders in the footer', () => {
    expect(messages(withComponent(2, { type: 'FOOTER', text: 'f'.repeat(61) }))).toMatch(
      /footer is 61/,
    );
    expect(messages(withComponent(2, { type: 'FOOTER', text: 'Hi {{1}} there' }))).toMatch(
      /footer may not have placeholders/,
    );
  });

  it('limits buttons by kind and total', () => {
    const qr = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ type: 'QUICK_REPLY' as const, text: `Option ${i}` }));
    expect(messages(withComponent(3, { type: 'BUTTONS', buttons: qr(11) }))).toMatch(
      /11 buttons; at most 10/,
    );
    const urls = [1, 2, 3].map((i) => ({
      type: 'URL' as const,
      text: `Link ${i}`,
      url: `https://example.com/${i}`,
    }));
    expect(messages(withComponent(3, { type: 'BUTTONS', buttons: urls }))).toMatch(/at most 2 URL/);
    const phones = [1, 2].map(() => ({
      type: 'PHONE_NUMBER' as const,
      text: 'Call',
      phone_number: '+15550100001',
    }));
    expect(messages(withComponent(3, { type: 'BUTTONS', buttons: phones }))).toMatch(
      /at most 1 PHONE_NUMBER/,
    );
    const codes = [1, 2].map(() => ({
      type: 'COPY_CODE' as const,
      text: 'Copy',
      example: ['SAVE10'],
    }));
    expect(messages(withComponent(3, { type: 'BUTTONS', buttons: codes }))).toMatch(
      /at most 1 COPY_CODE/,
    );
  });

  it('needs quick replies grouped together', () => {
    const t = withComponent(3, {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Yes' },
        { type: 'URL', text: 'Shop', url: 'https://example.com' },
        { type: 'QUICK_REPLY', text: 'No' },
      ],
    });
    expect(messages(t)).toMatch(/grouped together/);
  });

  it('checks labels, URLs, examples and codes of buttons', () => {
    const t = withComponent(3, {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'x'.repeat(26) },
        { type: 'URL', text: 'Shop', url: 'ftp://example.com' },
        { type: 'URL', text: 'Shop', url: 'https://example.com/{{1}}/more', example: ['x'] },
        { type: 'COPY_CODE', text: 'Copy', example: ['THIS-CODE-IS-TOO-LONG'] },
      ],
    });
    expect(fields(t)).toEqual([
      'components[3].buttons[0].text',
      'components[3].buttons[1].url',
      'components[3].buttons[2].url',
      'components[3].buttons[3].example',
    ]);
    const noExample = withComponent(3, {
      type: 'BUTTONS',
      buttons: [{ type: 'URL', text: 'Shop', url: 'https://x.io/{{1}}' }],
    });
    expect(fields(noExample)).toEqual(['components[3].buttons[0].example']);
  });

  it('keeps the marketing TTL within 12 hours and 30 days', () => {
    expect(fields(template({ messageSendTtlSeconds: 120 }))).toEqual(['messageSendTtlSeconds']);
    expect(fields(template({ messageSendTtlSeconds: 86_400 }))).toEqual([]);
  });

  it('checks an edited TTL against the range of the template category', () => {
    const f = (category: string, ttl: number | null) =>
      ttlProblems(category, ttl).map((p) => p.field);
    expect(f('MARKETING', 43_199)).toEqual(['messageSendTtlSeconds']);
    expect(f('MARKETING', 43_200)).toEqual([]);
    expect(f('MARKETING', 2_592_000)).toEqual([]);
    expect(f('MARKETING', 2_592_001)).toEqual(['messageSendTtlSeconds']);
    expect(f('MARKETING', 86_400.5)).toEqual(['messageSendTtlSeconds']);
    expect(f('MARKETING', null)).toEqual([]);
    expect(f('UTILITY', 600)).toEqual([]);
    expect(f('UTILITY', 86_400)).toEqual(['messageSendTtlSeconds']);
    expect(f('AUTHENTICATION', 600)).toEqual(['messageSendTtlSeconds']);
  });

  it('names unknown component types', () => {
    const t = template();
    t.components.push({ type: 'CALL_PERMISSION_REQUEST' } as never);
    expect(fields(t)).toContain('components[4].type');
  });
});
