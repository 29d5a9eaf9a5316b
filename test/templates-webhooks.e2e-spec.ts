import { startEngine, until, type Engine } from './support/engine';

const body = (text: string) => ({
  type: 'BODY',
  text,
  example: { body_text: [['Ana']] },
});

describe('template status follows Meta by webhook (sandbox → API → worker)', () => {
  let e: Engine;

  beforeAll(async () => {
    e = await startEngine();
    await e.control('PATCH', '/settings', { delays: { templateReviewMs: 100 } });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('goes PENDING → APPROVED when Meta’s status webhook arrives', async () => {
    const created = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      name: 'welcome_back',
      language: 'en',
      category: 'MARKETING',
      components: [body('Welcome back {{1}}, we missed you here')],
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('PENDING');
    const approved = await until('approved by webhook', async () => {
      const t = await e.v1('GET', `/templates/${created.body.id}`);
      return t.body.status === 'APPROVED' && t.body;
    });
    expect(approved.statusChangedAt).not.toBe(created.body.statusChangedAt);
  });

  it('keeps Meta’s rejection reason and details from the webhook', async () => {
    await e.control('PATCH', '/settings', {
      templateRules: {
        rejections: [
          {
            field: 'body',
            match: 'guaranteed',
            reason: 'PROMOTIONAL',
            detail: 'Too good to be true',
          },
        ],
      },
    });
    const created = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      name: 'riches',
      language: 'en',
      category: 'MARKETING',
      components: [body('Guaranteed riches for {{1}} today only, act now')],
    });
    const rejected = await until('rejected by webhook', async () => {
      const t = await e.v1('GET', `/templates/${created.body.id}`);
      return t.body.status === 'REJECTED' && t.body;
    });
    expect(rejected.rejectedReason).toBe('PROMOTIONAL');
    expect(rejected.rejectionInfo).toMatchObject({ reason: 'Too good to be true' });
  });

  it('records a quality change', async () => {
    const created = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      name: 'quality_watch',
      language: 'en',
      category: 'MARKETING',
      components: [body('Hello {{1}}, here is a weekly digest for you')],
    });
    await until(
      'approved',
      async () => (await e.v1('GET', `/templates/${created.body.id}`)).body.status === 'APPROVED',
    );
    await e.control('POST', `/templates/${created.body.metaTemplateId}/quality`, {
      score: 'YELLOW',
    });
    const t = await until('quality updated', async () => {
      const r = await e.v1('GET', `/templates/${created.body.id}`);
      return r.body.qualityScore === 'YELLOW' && r.body;
    });
    expect(t.status).toBe('APPROVED');
  });
});
