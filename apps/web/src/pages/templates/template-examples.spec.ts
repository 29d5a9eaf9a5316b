import { describe, expect, it } from '@jest/globals';
import type { Template } from '../../api/types';
import { buttonLabels, componentText, exampleParameters } from './template-examples';

const base = {
  id: 't1',
  businessAccountId: 'b1',
  metaTemplateId: '1',
  name: 'promo',
  language: 'en_US',
  category: 'MARKETING',
  previousCategory: null,
  messageSendTtlSeconds: null,
  status: 'APPROVED',
  qualityScore: null,
  rejectedReason: null,
  statusChangedAt: '2026-01-01T00:00:00Z',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe("a template's examples", () => {
  it('fills positional placeholders from the examples, and stands in where there are none', () => {
    const t: Template = {
      ...base,
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
      },
    };
    expect(exampleParameters(t)).toEqual({
      body: ['Ana', '[2]'],
      buttons: [{ index: 1, text: 'https://s.test/x' }],
    });
    expect(componentText(t, 'FOOTER')).toBe('Reply STOP to opt out');
    expect(componentText(t, 'HEADER')).toBeNull();
    expect(buttonLabels(t)).toEqual(['Stop promotions', 'Shop']);
  });

  it('fills named placeholders by name', () => {
    const t: Template = {
      ...base,
      parameterFormat: 'named',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{first_name}}',
          example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }] },
        },
      ],
      slots: { header: [], body: ['first_name'], buttons: [], headerMedia: null },
    };
    expect(exampleParameters(t)).toEqual({ body: { first_name: 'Ana' } });
  });
});
