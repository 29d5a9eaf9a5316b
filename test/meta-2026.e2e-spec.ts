// Meta's API as it is in late 2026 (issue 18), end to end against the sandbox: business-scoped
// user ids, both opt-out shapes, routing by category, product policy, the new error codes.
import { DataSource } from 'typeorm';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  acceptedPerRecipient,
  PHONE_NUMBER_ID,
  phones,
  WABA,
  startEngine,
  until,
  type Engine,
} from './support/engine';

const journal = (e: Engine) => async () =>
  e.api.app
    .get(DataSource)
    .query(
      `SELECT id, error, unknown, processed_at, left(body::text, 400) AS body FROM webhook_events ORDER BY id DESC LIMIT 4`,
    );

/**
 * Meta's webhook times are whole seconds: an opt-out in the same second as the test's opt-in
 * would read as older than it (and change nothing), so the tests let a second pass first.
 */
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

async function contactOf(e: Engine, phone: string): Promise<any> {
  const list = await e.v1('GET', '/contacts?limit=1000');
  return list.body.data.find((c: { phone: string }) => c.phone === phone);
}

async function consentOf(e: Engine, phone: string): Promise<string> {
  return (await contactOf(e, phone))?.consent;
}

async function ledgerSources(e: Engine, contactId: string): Promise<string[]> {
  const l = await e.v1('GET', `/contacts/${contactId}/consents?limit=100`);
  return l.body.data.map((x: { source: string }) => x.source);
}

describe("Meta's API in late 2026 (sandbox, API, worker)", () => {
  let e: Engine;
  let template: { id: string; metaId: string };

  beforeAll(async () => {
    e = await startEngine();
    template = await approvedTemplate(e, 'promo_2026');
  });

  afterAll(async () => {
    await e?.close();
  });

  describe('business-scoped user ids (BSUID)', () => {
    it('learns the BSUID from status webhooks; a STOP from the BSUID-only user opts that contact out', async () => {
      const [phone] = phones(1, 801) as [string];
      const audience = await audienceOf(e, optedIn([phone]));
      const id = await createCampaign(e, template.id, audience);
      expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
      const learnt = await until('BSUID learnt from statuses', async () => {
        const c = await contactOf(e, phone);
        return c?.userId && c;
      });
      expect(learnt.userId).toMatch(/^BR\.\d{20}$/);
      await nextSecond();
      const reply = await e.control('POST', '/replies', {
        phoneNumberId: PHONE_NUMBER_ID,
        from: phone,
        text: 'STOP',
        bsuidOnly: true,
      });
      expect(reply.userId).toBe(learnt.userId);
      await until('opted out by BSUID', async () => (await consentOf(e, phone)) === 'opted_out');
      expect(await ledgerSources(e, learnt.id)).toContain('whatsapp_stop_keyword');
    });

    it('a user_preferences stop with only user_id opts the known contact out (BSUID learnt from an inbound)', async () => {
      const [phone] = phones(1, 802) as [string];
      await audienceOf(e, optedIn([phone]));
      // The user writes once with both ids: the engine pairs them.
      await e.control('POST', '/replies', {
        phoneNumberId: PHONE_NUMBER_ID,
        from: phone,
        text: 'hello',
      });
      const learnt = await until(
        'BSUID learnt from an inbound',
        async () => {
          const c = await contactOf(e, phone);
          return c?.userId && c;
        },
        20_000,
        journal(e),
      );
      await nextSecond();
      const pref = await e.control('POST', '/user-preferences', {
        waId: phone,
        value: 'stop',
        bsuidOnly: true,
      });
      expect(pref.userId).toBe(learnt.userId);
      await until('opted out', async () => (await consentOf(e, phone)) === 'opted_out');
      expect(await ledgerSources(e, learnt.id)).toContain('whatsapp_user_preferences_stop');
    });

    it('the consent ledger resolves a contact by its BSUID; a BSUID is one contact', async () => {
      const [a, b] = phones(2, 803) as [string, string];
      const created = await e.v1('POST', '/contacts', {
        phone: a,
        userId: 'BR.80300000000000000001',
      });
      expect(created.status).toBe(201);
      expect(created.body.userId).toBe('BR.80300000000000000001');
      const byUser = await e.v1('POST', '/consents', {
        userId: 'BR.80300000000000000001',
        status: 'opted_in',
        source: 'test-form',
      });
      expect(byUser.status).toBe(201);
      expect(byUser.body).toMatchObject({ contactId: created.body.id, currentConsent: 'opted_in' });
      const unknown = await e.v1('POST', '/consents', {
        userId: 'BR.80399999999999999999',
        status: 'opted_in',
        source: 'test-form',
      });
      expect(unknown.status).toBe(404);
      const two = await e.v1('POST', '/consents', {
        userId: 'BR.80300000000000000001',
        phone: a,
        status: 'opted_in',
        source: 'x',
      });
      expect(two.status).toBe(400);
      const clash = await e.v1('POST', '/contacts', {
        phone: b,
        userId: 'BR.80300000000000000001',
      });
      expect(clash.status).toBe(409);
      const bad = await e.v1('POST', '/contacts', { phone: b, userId: 'not a bsuid' });
      expect(bad.status).toBe(400);
    });
  });

  describe('both opt-out shapes', () => {
    it('a user_preference_changed system message opts out, and its resume opts in again', async () => {
      const [phone] = phones(1, 804) as [string];
      await audienceOf(e, optedIn([phone]));
      await nextSecond();
      await e.control('POST', '/user-preferences', { waId: phone, value: 'stop', shape: 'system' });
      await until('opted out', async () => (await consentOf(e, phone)) === 'opted_out');
      await nextSecond();
      await e.control('POST', '/user-preferences', {
        waId: phone,
        value: 'resume',
        shape: 'system',
      });
      await until('opted in again', async () => (await consentOf(e, phone)) === 'opted_in');
      const c = await contactOf(e, phone);
      expect(await ledgerSources(e, c.id)).toEqual(
        expect.arrayContaining([
          'whatsapp_user_preferences_stop',
          'whatsapp_user_preferences_resume',
        ]),
      );
      expect(c.userId).toMatch(/^BR\./);
    });

    it('a BSUID-only system message stop reaches the contact that holds the BSUID', async () => {
      const [phone] = phones(1, 805) as [string];
      await audienceOf(e, optedIn([phone]));
      const probe = await e.control('POST', '/replies', {
        phoneNumberId: PHONE_NUMBER_ID,
        from: phone,
        text: 'hi',
      });
      await until('BSUID learnt', async () => (await contactOf(e, phone))?.userId === probe.userId);
      await nextSecond();
      await e.control('POST', '/user-preferences', {
        waId: phone,
        value: 'stop',
        shape: 'system',
        bsuidOnly: true,
      });
      await until('opted out', async () => (await consentOf(e, phone)) === 'opted_out');
    });
  });

  async function campaignWhen(id: string, ok: (c: any) => boolean, what: string): Promise<any> {
    return until(
      what,
      async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return ok(c) && c;
      },
      30_000,
      async () => ({
        campaign: (await e.v1('GET', `/campaigns/${id}`)).body,
        messages: (await e.v1('GET', `/campaigns/${id}/messages?limit=20`)).body.data,
      }),
    );
  }

  async function endpointsTo(phone: string): Promise<string[]> {
    const m = await e.control('GET', `/messages?to=${encodeURIComponent(phone)}`);
    return m.data.map((x: { endpoint: string }) => x.endpoint);
  }

  it('shows an APPROVED template\'s rejectedReason "NONE" (Meta\'s placeholder) as null', async () => {
    const t = await approvedTemplate(e, 'promo_reason_none');
    await e.control('POST', `/templates/${t.metaId}/status`, { status: 'PAUSED' });
    await e.control('POST', `/templates/${t.metaId}/status`, {
      status: 'APPROVED',
      reason: 'NONE',
    });
    await e.v1('POST', '/templates/sync', { businessAccountId: e.accountId });
    const got = await until('approved again', async () => {
      const r = (await e.v1('GET', `/templates/${t.id}`)).body;
      return r.status === 'APPROVED' && r;
    });
    expect(got.rejectedReason).toBeNull();
  });

  describe('routing by category', () => {
    it('only the completed category change moves a template off /marketing_messages', async () => {
      const t = await approvedTemplate(e, 'promo_recategorised');
      const [before, after] = phones(2, 810) as [string, string];
      const first = await createCampaign(e, t.id, await audienceOf(e, optedIn([before])));
      await e.v1('POST', `/campaigns/${first}/launch`);
      await campaignWhen(first, (c) => c.status === 'completed', 'first campaign done');
      expect(await endpointsTo(before)).toEqual(['marketing_messages']);
      // Created while MARKETING (new campaigns take marketing templates only), sent after the change.
      const second = await createCampaign(e, t.id, await audienceOf(e, optedIn([after])));

      // The 24 h notice changes nothing; the completed change does.
      await e.control('POST', `/templates/${t.metaId}/category`, {
        category: 'UTILITY',
        phase: 'impending',
      });
      await e.control('POST', `/templates/${t.metaId}/category`, { category: 'UTILITY' });
      await until(
        'engine sees UTILITY',
        async () => (await e.v1('GET', `/templates/${t.id}`)).body.category === 'UTILITY',
      );
      await e.v1('POST', `/campaigns/${second}/launch`);
      const done = await campaignWhen(second, (c) => c.status === 'completed', 'second done');
      expect(done.counts).toMatchObject({ sent: 1, failed: 0 });
      expect(await endpointsTo(after)).toEqual(['messages']);
    });
  });

  describe('product policy', () => {
    afterEach(async () => {
      await e.control('PATCH', `/wabas/${WABA}`, {
        mmOnboardingStatus: 'ONBOARDED',
        disableMarketingOnCloudApi: false,
      });
    });

    it('STRICT on a WABA not onboarded to MM stops loudly; CLOUD_API_FALLBACK sends through Cloud API', async () => {
      await e.control('PATCH', `/wabas/${WABA}`, { mmOnboardingStatus: 'ELIGIBLE' });
      const [strictPhone, fallbackPhone, killedPhone] = phones(3, 811) as [string, string, string];
      const strict = await createCampaign(
        e,
        template.id,
        await audienceOf(e, optedIn([strictPhone])),
      );
      expect((await e.v1('GET', `/campaigns/${strict}`)).body.productPolicy).toBe('STRICT');
      await e.v1('POST', `/campaigns/${strict}/launch`);
      const paused = await campaignWhen(strict, (c) => c.status === 'paused', 'STRICT paused');
      expect(paused.statusReason).toBe('mm_unavailable');
      const msgs = (await e.v1('GET', `/campaigns/${strict}/messages`)).body.data;
      expect(msgs[0]).toMatchObject({ status: 'pending', errorCode: 134102 });

      const fallback = await createCampaign(
        e,
        template.id,
        await audienceOf(e, optedIn([fallbackPhone])),
        { productPolicy: 'CLOUD_API_FALLBACK', messageActivitySharing: false },
      );
      await e.v1('POST', `/campaigns/${fallback}/launch`);
      await campaignWhen(fallback, (c) => c.status === 'completed', 'fallback sent');
      const sent = await e.control('GET', `/messages?to=${encodeURIComponent(fallbackPhone)}`);
      expect(sent.data).toHaveLength(1);
      expect(sent.data[0].endpoint).toBe('marketing_messages');
      await until('fallback counted in the report', async () => {
        const r = (await e.v1('GET', `/campaigns/${fallback}/report`)).body;
        return r?.route?.fellBack === 1 && r;
      });

      // With the kill switch on, Meta refuses the fallback (131063): the campaign pauses.
      await e.control('PATCH', `/wabas/${WABA}`, { disableMarketingOnCloudApi: true });
      const killed = await createCampaign(
        e,
        template.id,
        await audienceOf(e, optedIn([killedPhone])),
        {
          productPolicy: 'CLOUD_API_FALLBACK',
        },
      );
      await e.v1('POST', `/campaigns/${killed}/launch`);
      const k = await campaignWhen(killed, (c) => c.status === 'paused', 'kill switch paused');
      expect(k.statusReason).toBe('marketing_disabled_on_cloud_api');
    });

    it('refuses an unknown product policy', async () => {
      const audience = await audienceOf(e, optedIn(phones(1, 812)));
      const res = await e.v1('POST', '/campaigns', {
        name: 'x',
        templateId: template.id,
        audienceId: audience,
        phoneNumberId: e.phoneId,
        parameters: {},
        productPolicy: 'SOMETIMES',
      });
      expect(res.status).toBe(400);
    });
  });

  describe('new error codes', () => {
    afterEach(async () => {
      await e.control('DELETE', '/errors');
    });

    it('134101 (template still syncing) holds the campaign, which resumes by itself 10 minutes later', async () => {
      const list = phones(3, 813);
      const id = await createCampaign(e, template.id, await audienceOf(e, optedIn(list)), {
        throughputMps: 1,
      });
      await e.control('POST', '/errors', {
        code: 134101,
        count: 1,
        endpoint: 'marketing_messages',
      });
      await e.v1('POST', `/campaigns/${id}/launch`);
      const held = await campaignWhen(id, (c) => c.status === 'paused', 'held');
      expect(held.statusReason).toBe('template_syncing');
      expect(Date.parse(held.resumeAt)).toBeGreaterThan(Date.now());
      e.clock.advance(10 * 60_000 + 1000);
      const done = await campaignWhen(id, (c) => c.status === 'completed', 'resumed and done');
      expect(done.counts).toMatchObject({ sent: 3, failed: 0 });
      expect(done.resumeAt).toBeNull();
      const counts = await acceptedPerRecipient(e, list);
      expect(Object.values(counts.recipients)).toEqual([1, 1, 1]);
    });

    it('132018 fails only the message; 130472 (experiment holdout) is not counted as our failure', async () => {
      const [bad, held, fine] = phones(3, 814) as [string, string, string];
      await e.control('POST', '/recipients', { phones: [held], state: 'holdout' });
      await e.control('POST', '/errors', {
        code: 132018,
        count: 1,
        endpoint: 'marketing_messages',
        to: bad,
      });
      const id = await createCampaign(
        e,
        template.id,
        await audienceOf(e, optedIn([bad, held, fine])),
        {
          throughputMps: 1,
        },
      );
      await e.v1('POST', `/campaigns/${id}/launch`);
      const done = await campaignWhen(id, (c) => c.status === 'completed', 'done');
      const msgs = (await e.v1('GET', `/campaigns/${id}/messages`)).body.data;
      const byPhone = new Map(msgs.map((m: any) => [m.phone, m]));
      expect(byPhone.get(bad)).toMatchObject({ status: 'failed', errorCode: 132018 });
      await until('holdout failed', async () => {
        const m = (await e.v1('GET', `/campaigns/${id}/messages`)).body.data;
        return m.some((x: any) => x.phone === held && x.errorCode === 130472);
      });
      expect(done.status).toBe('completed');
      await until('holdout counted apart', async () => {
        const r = (await e.v1('GET', `/campaigns/${id}/report`)).body;
        return r?.route?.experimentHoldout === 1 && r;
      });
    });
  });
});
