import { isValidTemplateName, normalizeLanguage, templatePlaceholders } from './template-params';

describe('templatePlaceholders', () => {
  it('lists positional and named placeholders once, in order', () => {
    expect(
      templatePlaceholders('Shop through {{1}} with code {{2}} for {{3}} off, {{1}}!'),
    ).toEqual(['1', '2', '3']);
    expect(templatePlaceholders('Hi {{first_name}}, order {{ order_number }}')).toEqual([
      'first_name',
      'order_number',
    ]);
    expect(templatePlaceholders('No variables')).toEqual([]);
    expect(templatePlaceholders(undefined)).toEqual([]);
  });
});

describe('template names and languages', () => {
  it('accepts only lowercase names with digits and underscores', () => {
    expect(isValidTemplateName('seasonal_promotion_2')).toBe(true);
    expect(isValidTemplateName('Seasonal')).toBe(false);
    expect(isValidTemplateName('a-b')).toBe(false);
    expect(isValidTemplateName('')).toBe(false);
  });

  it('normalises en-US to en_US', () => {
    expect(normalizeLanguage('en-US')).toBe('en_US');
  });
});
