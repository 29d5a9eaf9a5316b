import { bindingProblems, formattedSlots, scanContact } from './binding-report';
import type { TemplateDefinition } from './template-model';

const coupon: TemplateDefinition = {
  name: 'coupon',
  language: 'en',
  category: 'MARKETING',
  parameterFormat: 'positional',
  components: [
    {
      type: 'LIMITED_TIME_OFFER',
      limited_time_offer: { text: 'Ends soon!', has_expiration: true },
    },
    { type: 'BODY', text: 'Hi {{1}}, your code is waiting', example: { body_text: [['Ana']] } },
    { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy', example: ['A1'] }] },
  ],
};

const bindings = {
  body: ['{{contact.attributes.firstName}}'],
  limitedTimeOffer: { expirationTimeMs: '{{contact.attributes.ends}}' },
  buttons: [{ index: 0, text: '{{contact.attributes.code}}' }],
};

const NOW = Date.parse('2030-01-01T00:00:00Z');
const none = new Map<string, { contacts: number; message: string }>();

describe('bindingProblems', () => {
  it('skips contacts lacking a field, and blocks when every contact lacks it', () => {
    const some = bindingProblems(
      coupon,
      bindings,
      { checked: 10, missing: new Map([['attributes.firstName', 3]]), invalid: none },
      NOW,
    );
    expect(some).toEqual([
      {
        location: 'body param 1',
        field: 'parameters.body[0]',
        variant: null,
        kind: 'missing_field',
        contactField: 'attributes.firstName',
        contacts: 3,
        blocking: false,
        message:
          "body param 1: contact field 'attributes.firstName' missing for 3 contacts (they are skipped)",
      },
    ]);
    const all = bindingProblems(
      coupon,
      bindings,
      { checked: 4, missing: new Map([['attributes.code', 4]]), invalid: none },
      NOW,
      'b',
    );
    expect(all).toMatchObject([
      { location: 'button 1 (coupon code)', variant: 'b', blocking: true, contacts: 4 },
    ]);
    expect(all[0]?.message).toMatch(/^variant b: button 1 \(coupon code\)/);
  });

  it('counts contact values Meta would refuse, and an offer already over', () => {
    const slots = formattedSlots(coupon, bindings);
    expect(slots.map((s) => s.location)).toEqual([
      'limited-time offer expiry',
      'button 1 (coupon code)',
    ]);
    const invalid = new Map<string, { contacts: number; message: string }>();
    const contact = (code: string, ends: string) => ({
      phone: '+5511900000000',
      attributes: { firstName: 'A', code, ends },
    });
    scanContact(slots, contact('OK1', '2030-02-01T00:00:00Z'), NOW, invalid);
    scanContact(slots, contact('WAY-TOO-LONG-CODE', '2029-12-01T00:00:00Z'), NOW, invalid);
    scanContact(slots, contact('ALSO TOO LONG', '2030-03-01T00:00:00Z'), NOW, invalid);
    scanContact(slots, { phone: '+5511900000001', attributes: {} }, NOW, invalid);
    expect(Object.fromEntries(invalid)).toEqual({
      'limited-time offer expiry': {
        contacts: 1,
        message: 'limited-time offer expiry: the offer ended at 2029-12-01T00:00:00.000Z',
      },
      'button 1 (coupon code)': {
        contacts: 2,
        message:
          'button 1 (coupon code): coupon code "WAY-TOO-LONG-CODE" has 17 characters; at most 15',
      },
    });
    const problems = bindingProblems(
      coupon,
      bindings,
      { checked: 4, missing: new Map(), invalid },
      NOW,
    );
    expect(problems.map((p) => [p.kind, p.location, p.contacts, p.blocking])).toEqual([
      ['invalid_value', 'limited-time offer expiry', 1, true],
      ['invalid_value', 'button 1 (coupon code)', 2, true],
    ]);
  });

  it('judges a literal expiry once, for everyone', () => {
    const past = { ...bindings, limitedTimeOffer: { expirationTimeMs: String(NOW - 1000) } };
    expect(
      bindingProblems(coupon, past, { checked: 7, missing: new Map(), invalid: none }, NOW),
    ).toMatchObject([{ kind: 'invalid_value', contacts: 7, blocking: true }]);
  });

  it('reports a binding wrong for the template before anything else', () => {
    expect(
      bindingProblems(
        coupon,
        { body: ['a'], buttons: [{ index: 0, text: 'A1' }] },
        { checked: 1, missing: new Map(), invalid: none },
        NOW,
      ),
    ).toMatchObject([
      {
        kind: 'invalid_binding',
        blocking: true,
        message: 'limited-time offer expiry needs a value',
      },
    ]);
  });
});
