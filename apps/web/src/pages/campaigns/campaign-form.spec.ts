import { describe, expect, it } from '@jest/globals';
import type { Member } from '../../api/types';
import { aTemplate } from '../../testing/fixtures';
import {
  contactFields,
  isTrackedLink,
  localToIso,
  parametersOf,
  slotsOf,
  valuesOf,
  withTracking,
} from './campaign-form';

const template = aTemplate;

describe('new campaign form', () => {
  const positional = template({
    slots: {
      header: ['1'],
      body: ['1', '2'],
      buttons: [{ index: 1, type: 'URL' }],
      headerMedia: null,
      productButtons: [],
      cards: [],
      limitedTimeOffer: false,
    },
  });

  it('lists every value the template needs, header first, then body, then buttons', () => {
    expect(slotsOf(positional).map((s) => [s.key, s.label])).toEqual([
      ['header:1', 'Header {{1}}'],
      ['body:1', 'Body {{1}}'],
      ['body:2', 'Body {{2}}'],
      ['button:1', 'Button 2: link suffix'],
    ]);
  });

  it('binds positional values as arrays in placeholder order and buttons by index', () => {
    expect(
      parametersOf(positional, {
        'header:1': 'Sale',
        'body:2': 'SAVE10',
        'body:1': '{{contact.attributes.firstName}}',
        'button:1': 'summer',
      }),
    ).toEqual({
      header: ['Sale'],
      body: ['{{contact.attributes.firstName}}', 'SAVE10'],
      buttons: [{ index: 1, text: 'summer' }],
    });
  });

  it('binds named values as objects, and a media header by its link', () => {
    const named = template({
      parameterFormat: 'named',
      slots: {
        header: [],
        body: ['first_name'],
        buttons: [],
        headerMedia: 'IMAGE',
        productButtons: [],
        cards: [],
        limitedTimeOffer: false,
      },
    });
    expect(parametersOf(named, { 'body:first_name': 'Ana' }, 'https://x.test/a.png')).toEqual({
      header: { type: 'image', link: 'https://x.test/a.png' },
      body: { first_name: 'Ana' },
    });
  });

  it("reads a campaign's parameters back into the form's values (a follow-up starts from them)", () => {
    const values = {
      'header:1': 'Sale',
      'body:1': '{{contact.attributes.firstName}}',
      'body:2': 'SAVE10',
      'button:1': 'summer',
    };
    expect(valuesOf(positional, parametersOf(positional, values))).toEqual({
      values,
      mediaLink: '',
    });
    const named = template({
      parameterFormat: 'named',
      slots: {
        header: [],
        body: ['first_name'],
        buttons: [],
        headerMedia: 'IMAGE',
        productButtons: [],
        cards: [],
        limitedTimeOffer: false,
      },
    });
    const p = parametersOf(named, { 'body:first_name': 'Ana' }, 'https://x.test/a.png');
    expect(valuesOf(named, p)).toEqual({
      values: { 'body:first_name': 'Ana' },
      mediaLink: 'https://x.test/a.png',
    });
  });

  it('wraps a link for tracking and unwraps it again, keeping the URL', () => {
    const on = withTracking('https://shop.example.com/sale', true);
    expect(on).toBe('{{link:https://shop.example.com/sale}}');
    expect(isTrackedLink(on)).toBe(true);
    expect(withTracking(on, true)).toBe(on);
    expect(withTracking(on, false)).toBe('https://shop.example.com/sale');
    expect(isTrackedLink('https://shop.example.com')).toBe(false);
    expect(withTracking('', true)).toBe('{{link:https://}}');
  });

  it("offers the sample's attributes and the built-in fields as sources", () => {
    const m = (attributes: Record<string, unknown>) => ({ attributes }) as unknown as Member;
    expect(contactFields([m({ firstName: 'Ana' }), m({ city: 'Rio', firstName: 'Bo' })])).toEqual([
      { value: '{{contact.attributes.city}}', label: 'attribute city' },
      { value: '{{contact.attributes.firstName}}', label: 'attribute firstName' },
      { value: '{{contact.phone}}', label: 'phone' },
      { value: '{{contact.locale}}', label: 'locale' },
      { value: '{{contact.timezone}}', label: 'time zone' },
    ]);
  });

  it('turns a local date-time into an instant, and nothing into nothing', () => {
    expect(localToIso('')).toBeUndefined();
    expect(localToIso('not a date')).toBeUndefined();
    expect(localToIso('2026-05-01T10:30')).toBe(new Date(2026, 4, 1, 10, 30).toISOString());
  });
});
