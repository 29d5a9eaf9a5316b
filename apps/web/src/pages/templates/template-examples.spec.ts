import { describe, expect, it } from '@jest/globals';
import { aTemplate } from '../../testing/fixtures';
import { buttonLabels, componentText, exampleParameters } from './template-examples';

describe("a template's examples", () => {
  it('fills positional placeholders from the examples, and stands in where there are none', () => {
    const t = aTemplate({
      parameterFormat: 'positional',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, code {{2}}', example: { body_text: [['Ana']] } },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Stop promotions' },
            {
              type: 'URL',
              text: 'Shop',
              url: 'https://s.test/{{1}}',
              example: ['https://s.test/x'],
            },
          ],
        },
      ],
      slots: {
        header: [],
        body: ['1', '2'],
        buttons: [{ index: 1, type: 'URL' }],
        headerMedia: null,
        productButtons: [],
        cards: [],
        limitedTimeOffer: false,
      },
    });
    expect(exampleParameters(t)).toEqual({
      body: ['Ana', '[2]'],
      buttons: [{ index: 1, text: 'https://s.test/x' }],
    });
    expect(componentText(t, 'FOOTER')).toBe('Reply STOP to opt out');
    expect(componentText(t, 'HEADER')).toBeNull();
    expect(buttonLabels(t)).toEqual(['Stop promotions', 'Shop']);
  });

  it('fills named placeholders by name', () => {
    const t = aTemplate({
      parameterFormat: 'named',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{first_name}}',
          example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }] },
        },
      ],
      slots: {
        header: [],
        body: ['first_name'],
        buttons: [],
        headerMedia: null,
        productButtons: [],
        cards: [],
        limitedTimeOffer: false,
      },
    });
    expect(exampleParameters(t)).toEqual({ body: { first_name: 'Ana' } });
  });
});
