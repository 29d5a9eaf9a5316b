// Meta's API as it is in late 2026 (issue 18), end to end against the sandbox: business-scoped
// user ids, both opt-out shapes, routing by category, product policy, the new error codes.
import { DataSource } from 'typeorm';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  PHONE_NUMBER_ID,
  phones,
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
});
