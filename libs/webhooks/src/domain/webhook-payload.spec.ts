import { compileOptOutRules } from './opt-out';
import { optOutsAtIngest, parseWebhookBody, wabaIdsOf } from './webhook-payload';

const rules = compileOptOutRules({ stopKeywords: ['STOP'], optOutButtons: ['Stop promotions'] });
const parse = (v: unknown) =>
  parseWebhookBody(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), '42', rules);

const envelope = (field: string, value: unknown, extra: Record<string, unknown> = {}) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', ...extra, changes: [{ field, value }] }],
});

const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

describe('webhook payload parsing', () => {
  it('reads statuses with pricing, callback data and errors (MMLITE §4.5)', () => {
    const p = parse(
      envelope('messages', {
        messaging_product: 'whatsapp',
        metadata,
        statuses: [
          {
            id: 'wamid.1',
            status: 'sent',
            timestamp: '1750030073',
            recipient_id: '16505551234',
            recipient_user_id: 'US.13491208655302741918',
            biz_opaque_callback_data: 'cmp:1:rcp:9',
            pricing: {
              billable: true,
              pricing_model: 'PMP',
              type: 'regular',
              category: 'marketing_lite',
            },
          },
          {
            id: 'wamid.2',
            status: 'failed',
            timestamp: '1751142888',
            recipient_id: '16505551234',
            errors: [
              {
                code: 131049,
                title: 'This message was not delivered to maintain healthy ecosystem engagement.',
                message: 'm',
                error_data: { details: 'In order to maintain …' },
              },
            ],
          },
        ],
      }),
    );
    expect(p).toMatchObject({ malformed: false, unknown: false, problems: [] });
    expect(p.statuses).toHaveLength(2);
    expect(p.statuses[0]).toMatchObject({
      wamid: 'wamid.1',
      status: 'sent',
      at: new Date(1750030073000),
      recipientId: '16505551234',
      recipientUserId: 'US.13491208655302741918',
      callbackData: 'cmp:1:rcp:9',
      phoneNumberId: '106540352242922',
      wabaId: '102290129340398',
      pricing: { category: 'marketing_lite', type: 'regular', model: 'PMP', billable: true },
      eventId: '42',
    });
    expect(p.statuses[1]?.error).toEqual({
      code: 131049,
      title: 'This message was not delivered to maintain healthy ecosystem engagement.',
      message: 'm',
      details: 'In order to maintain …',
    });
  });

  it('reads inbound text, quick-reply buttons and interactive replies (MMLITE §4.6)', () => {
    const p = parse(
      envelope('messages', {
        metadata,
        contacts: [{ profile: { name: 'Sheena' }, wa_id: '16505551234', user_id: 'US.1' }],
        messages: [
          {
            from: '16505551234',
            id: 'wamid.in1',
            timestamp: '1749416383',
            type: 'text',
            text: { body: ' Stop ' },
          },
          {
            context: { from: '15550783881', id: 'wamid.tpl' },
            from: '16505551234',
            id: 'wamid.in2',
            timestamp: '1698269027',
            type: 'button',
            button: { payload: 'MORE_INFO', text: 'Tell me more' },
          },
          {
            context: { from: '15550783881', id: 'wamid.tpl' },
            from: '16505551234',
            id: 'wamid.in3',
            timestamp: '1698269027',
            type: 'button',
            button: { payload: 'Stop promotions', text: 'Stop promotions' },
          },
          {
            context: { id: 'wamid.tpl2' },
            from: '16505551234',
            id: 'wamid.in4',
            timestamp: '1698269027',
            type: 'interactive',
            interactive: { type: 'button_reply', button_reply: { id: 'cb', title: 'Yes' } },
          },
        ],
      }),
    );
    expect(p.unknown).toBe(false);
    expect(p.inbound.map((m) => [m.wamid, m.isOptOut, m.optOutReason, m.isButtonClick])).toEqual([
      ['wamid.in1', true, 'keyword', false],
      ['wamid.in2', false, null, true],
      ['wamid.in3', true, 'button', true],
      ['wamid.in4', false, null, true],
    ]);
    expect(p.inbound[0]).toMatchObject({
      fromUserId: 'US.1',
      text: ' Stop ',
      phoneNumberId: '106540352242922',
    });
    expect(p.inbound[1]).toMatchObject({
      contextWamid: 'wamid.tpl',
      buttonPayload: 'MORE_INFO',
      buttonText: 'Tell me more',
    });
    expect(p.inbound[1]?.raw).toMatchObject({ id: 'wamid.in2', type: 'button' });
  });

  it('reads template status, quality and category updates (MMLITE §3.7)', () => {
    const p = parse({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          time: 1751247548,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 1689556908129835,
                message_template_name: 'abandoned_cart',
                message_template_language: 'en',
                reason: 'INVALID_FORMAT',
                message_template_category: 'MARKETING',
              },
            },
            {
              field: 'message_template_quality_update',
              value: {
                previous_quality_score: 'GREEN',
                new_quality_score: 'YELLOW',
                message_template_id: 806312974732579,
                message_template_name: 'welcome_template',
                message_template_language: 'en-US',
              },
            },
            {
              field: 'template_category_update',
              value: {
                message_template_id: 278077987957091,
                message_template_name: 'welcome_template',
                message_template_language: 'en-US',
                new_category: 'UTILITY',
                correct_category: 'MARKETING',
                category_update_timestamp: 1746169200,
              },
            },
          ],
        },
      ],
    });
    expect(p.unknown).toBe(false);
    expect(p.templateEvents.map((t) => t.kind)).toEqual(['status', 'quality', 'category']);
    expect(p.templateEvents[0]).toMatchObject({
      templateId: '1689556908129835',
      event: 'REJECTED',
      reason: 'INVALID_FORMAT',
      occurredAt: new Date(1751247548000),
    });
    expect(p.templateEvents[1]).toMatchObject({
      language: 'en_US',
      previousQuality: 'GREEN',
      newQuality: 'YELLOW',
    });
    expect(p.templateEvents[2]).toMatchObject({
      newCategory: 'UTILITY',
      correctCategory: 'MARKETING',
      categoryUpdateAt: new Date(1746169200000),
    });
    const again = parse({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          time: 1751247548,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 1689556908129835,
                message_template_name: 'abandoned_cart',
                message_template_language: 'en',
                reason: 'INVALID_FORMAT',
                message_template_category: 'MARKETING',
              },
            },
          ],
        },
      ],
    });
    expect(again.templateEvents[0]?.dedupeKey).toBe(p.templateEvents[0]?.dedupeKey);
  });

  it('reads user_preferences stop and resume (MMLITE §8)', () => {
    const p = parse(
      envelope('user_preferences', {
        messaging_product: 'whatsapp',
        metadata,
        contacts: [{ wa_id: '16505551234' }],
        user_preferences: [
          {
            wa_id: '16505551234',
            detail: 'User requested to stop marketing messages',
            category: 'marketing_messages',
            value: 'stop',
            timestamp: 1731705721,
          },
          {
            wa_id: '16505551234',
            category: 'marketing_messages',
            value: 'resume',
            timestamp: 1731705999,
          },
        ],
      }),
    );
    expect(p.userPreferences.map((u) => [u.waId, u.value, u.at?.getTime()])).toEqual([
      ['16505551234', 'stop', 1731705721000],
      ['16505551234', 'resume', 1731705999000],
    ]);
    expect(p.userPreferences[0]?.dedupeKey).not.toBe(p.userPreferences[1]?.dedupeKey);
  });

  it('reads a BSUID-only STOP (from_user_id, no from) as an opt-out by user id (2026)', () => {
    const body = envelope('messages', {
      messaging_product: 'whatsapp',
      metadata,
      contacts: [{ profile: { name: 'Ana' }, user_id: 'BR.12345678901234567890' }],
      messages: [
        {
          from_user_id: 'BR.12345678901234567890',
          id: 'wamid.stop1',
          timestamp: '1750030073',
          type: 'text',
          text: { body: 'STOP' },
        },
      ],
    });
    const p = parse(body);
    expect(p.problems).toEqual([]);
    expect(p.inbound[0]).toMatchObject({
      from: null,
      fromUserId: 'BR.12345678901234567890',
      isOptOut: true,
    });
    expect(optOutsAtIngest(Buffer.from(JSON.stringify(body)), rules)).toEqual([
      { phoneNumberId: '106540352242922', phone: null, userId: 'BR.12345678901234567890' },
    ]);
  });

  it('still refuses an inbound message that names its sender neither way', () => {
    const p = parse(
      envelope('messages', {
        metadata,
        messages: [{ id: 'wamid.x', timestamp: '1750030073', type: 'text', text: { body: 'hi' } }],
      }),
    );
    expect(p.inbound).toEqual([]);
    expect(p.unknown).toBe(true);
  });

  it('reads a user_preferences stop that carries only user_id', () => {
    const body = envelope('user_preferences', {
      messaging_product: 'whatsapp',
      metadata,
      contacts: [{ user_id: 'US.13491208655302741918' }],
      user_preferences: [
        {
          user_id: 'US.13491208655302741918',
          category: 'marketing_messages',
          value: 'stop',
          timestamp: 1731705721,
        },
      ],
    });
    const p = parse(body);
    expect(p.problems).toEqual([]);
    expect(p.userPreferences[0]).toMatchObject({
      waId: null,
      userId: 'US.13491208655302741918',
      value: 'stop',
    });
    expect(optOutsAtIngest(Buffer.from(JSON.stringify(body)), rules)).toEqual([
      { phoneNumberId: '106540352242922', phone: null, userId: 'US.13491208655302741918' },
    ]);
  });

  it('reads the system message user_preference_changed as a preference, not an inbound text', () => {
    const body = envelope('messages', {
      messaging_product: 'whatsapp',
      metadata,
      contacts: [{ wa_id: '5511912345678', user_id: 'BR.1' }],
      messages: [
        {
          from: '5511912345678',
          id: 'wamid.sys1',
          timestamp: '1750030073',
          type: 'system',
          system: { type: 'user_preference_changed', marketing: 'stop', body: 'stopped' },
        },
      ],
    });
    const p = parse(body);
    expect(p.problems).toEqual([]);
    expect(p.inbound).toEqual([]);
    expect(p.userPreferences).toHaveLength(1);
    expect(p.userPreferences[0]).toMatchObject({
      waId: '5511912345678',
      userId: 'BR.1',
      category: 'marketing_messages',
      value: 'stop',
      at: new Date(1750030073000),
    });
    expect(optOutsAtIngest(Buffer.from(JSON.stringify(body)), rules)).toEqual([
      { phoneNumberId: '106540352242922', phone: '+5511912345678', userId: 'BR.1' },
    ]);
    const resume = parse(
      JSON.stringify(body).replace('"marketing":"stop"', '"marketing":"resume"'),
    );
    expect(resume.userPreferences[0]?.value).toBe('resume');
    expect(resume.userPreferences[0]?.dedupeKey).toBe(p.userPreferences[0]?.dedupeKey);
  });

  it('makes every escaped NUL and lone surrogate storable, in values and keys, and only those', () => {
    const message = (body: string, extra = '') =>
      parse(
        JSON.stringify(
          envelope('messages', {
            metadata,
            messages: [
              { from: '16505551234', id: 'wamid.e', timestamp: '1750030073', type: 'text' },
            ],
          }),
        ).replace('"type":"text"', `"type":"text","text":{"body":"${body}"${extra}}`),
      );
    // Escaped as Meta may send them (either case): NUL, lone surrogates, a pair (an emoji).
    const odd = message('a\\u0000b \\uD800 \\udfff \\ud83d\\ude00', ',"k\\u0000":1');
    expect(odd.inbound[0]?.text).toBe('a\\u0000b \ufffd \ufffd 😀');
    expect(odd.inbound[0]?.raw).toMatchObject({ text: { 'k\\u0000': 1 } });
    // An escaped backslash before "u0000" is text, not an escape: it stays as sent.
    expect(message('c:\\\\u0000').inbound[0]?.text).toBe('c:\\u0000');
    expect(message('plain \\u00e9').inbound[0]?.text).toBe('plain é');
  });

  it('flags malformed bodies without throwing', () => {
    for (const body of ['{"object": ', '', 'null', '[]', '"text"', '{"entry": 3}']) {
      const p = parse(body);
      expect(p.malformed).toBe(true);
      expect(p.problems[0]).toBeTruthy();
      expect(p.statuses).toEqual([]);
    }
    const invalidUtf8 = parseWebhookBody(Buffer.from([0xff, 0xfe, 0x00]), '1', rules);
    expect(invalidUtf8.malformed).toBe(true);
  });

  it('flags unknown parts but keeps what it understood', () => {
    const p = parse(
      envelope('messages', {
        metadata,
        statuses: [
          { id: 'wamid.ok', status: 'delivered', timestamp: '1750030073' },
          { id: 'wamid.odd', status: 'exploded', timestamp: '1750030073' },
          { id: 'wamid.notime', status: 'sent' },
          'nonsense',
        ],
      }),
    );
    expect(p.malformed).toBe(false);
    expect(p.unknown).toBe(true);
    expect(p.statuses.map((s) => s.wamid)).toEqual(['wamid.ok']);
    expect(p.problems).toHaveLength(3);
    expect(parse(envelope('some_future_field', {})).unknown).toBe(true);
    expect(parse({ object: 'page', entry: [] }).unknown).toBe(true);
  });

  describe("Meta's link clicks (user_actions, MMLITE §4.7)", () => {
    const click = (
      data: Record<string, unknown> | undefined,
      extra: Record<string, unknown> = {},
    ) => ({
      action_type: 'marketing_messages_link_click',
      timestamp: '1750030100',
      ...(data === undefined ? {} : { marketing_messages_link_click_data: data }),
      ...extra,
    });

    it('reads a click with its number, time, component, product, click id and tracking token', () => {
      const p = parse(
        envelope('messages', {
          messaging_product: 'whatsapp',
          metadata,
          user_actions: [
            click({
              click_component: 'cta',
              product_id: 'sku_1',
              click_id: 'clk-1',
              tracking_token: '1234:1',
            }),
            click({ click_component: 'body', click_id: 'clk-2' }),
          ],
        }),
      );
      expect(p).toMatchObject({ malformed: false, unknown: false, problems: [], ignored: 0 });
      expect(p.userActions).toEqual([
        {
          phoneNumberId: '106540352242922',
          at: new Date(1750030100000),
          component: 'cta',
          productId: 'sku_1',
          clickId: 'clk-1',
          trackingToken: '1234:1',
          eventId: '42',
        },
        {
          phoneNumberId: '106540352242922',
          at: new Date(1750030100000),
          component: 'body',
          productId: null,
          clickId: 'clk-2',
          trackingToken: null,
          eventId: '42',
        },
      ]);
    });

    it('flags a click without click data, click id or time and still applies the statuses beside it', () => {
      const p = parse(
        envelope('messages', {
          messaging_product: 'whatsapp',
          metadata,
          statuses: [{ id: 'wamid.ok', status: 'read', timestamp: '1750030073' }],
          user_actions: [
            click(undefined),
            click({ click_component: 'cta' }),
            click({ click_id: 'clk-t' }, { timestamp: 'yesterday' }),
            'junk',
            click({ click_component: 'cta', click_id: 'clk-ok' }),
          ],
        }),
      );
      expect(p.malformed).toBe(false);
      expect(p.unknown).toBe(true);
      expect(p.problems).toHaveLength(4);
      expect(p.problems[0]).toMatch(/user_actions\[0\] lacks click data/);
      expect(p.statuses.map((s) => s.wamid)).toEqual(['wamid.ok']);
      expect(p.userActions.map((a) => a.clickId)).toEqual(['clk-ok']);
    });

    it('flags a click from no number, and an unknown action type, without keeping them', () => {
      const p = parse(
        envelope('messages', {
          messaging_product: 'whatsapp',
          metadata: {},
          user_actions: [click({ click_id: 'clk-1' }), { action_type: 'future_action' }],
        }),
      );
      expect(p.unknown).toBe(true);
      expect(p.problems).toEqual([
        expect.stringMatching(/lacks .*phone_number_id/),
        expect.stringMatching(/unknown action_type "future_action"/),
      ]);
      expect(p.userActions).toEqual([]);
    });

    it('keeps a click with an unknown component, without the component, and flags it', () => {
      const p = parse(
        envelope('messages', {
          messaging_product: 'whatsapp',
          metadata,
          user_actions: [click({ click_component: 'image', click_id: 'clk-1' })],
        }),
      );
      expect(p.unknown).toBe(true);
      expect(p.userActions).toMatchObject([{ clickId: 'clk-1', component: null }]);
    });
  });

  it('recognises fields the engine does not consume without flagging them', () => {
    const p = parse(envelope('account_update', { event: 'MM_LITE_TERMS_SIGNED' }));
    expect(p).toMatchObject({ unknown: false, malformed: false, ignored: 1 });
  });
});

describe('whose a payload is', () => {
  it("names the entries' WhatsApp Business Account ids, once each", () => {
    const two = {
      object: 'whatsapp_business_account',
      entry: [{ id: '111' }, { id: 222 }, { id: '111' }, { id: 'x\u0000' }, 'junk', {}],
    };
    expect(wabaIdsOf(Buffer.from(JSON.stringify(two)))).toEqual(['111', '222']);
  });

  it('names none for what is not a webhook envelope', () => {
    for (const body of ['not json', '[]', 'null', '{"entry": {"id": "1"}}']) {
      expect(wabaIdsOf(Buffer.from(body))).toEqual([]);
    }
  });
});
