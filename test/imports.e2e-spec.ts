import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/config';
import { testConfig } from '@app/testing';
import { http, newWorkspace, startApi, startWorker, type RunningApp } from './support/apps';

/** Polls an import until it is finished (or the deadline passes). */
async function finished(api: RunningApp, key: string, id: string, ms = 30_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await http(api.url, 'GET', `/v1/imports/${id}`, { key });
    if (res.body.status === 'completed' || res.body.status === 'failed' || Date.now() > deadline) {
      return res.body;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('CSV imports (api + worker, real Postgres and Redis)', () => {
  let config: AppConfig;
  let api: RunningApp;
  let worker: INestApplicationContext;
  let db: DataSource;

  beforeAll(async () => {
    config = testConfig({ IMPORT_BATCH_ROWS: '50' });
    api = await startApi(config);
    worker = await startWorker(config);
    db = api.app.get(DataSource);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  async function setup(): Promise<{ key: string; audienceId: string; workspaceId: string }> {
    const { apiKey, workspaceId } = await newWorkspace(api);
    const aud = await http(api.url, 'POST', '/v1/audiences', {
      key: apiKey,
      body: { name: 'list' },
    });
    return { key: apiKey, audienceId: aud.body.id, workspaceId };
  }

  async function importCsv(
    key: string,
    audienceId: string,
    csv: string | Buffer,
    query = '',
    headers: Record<string, string> = {},
  ): Promise<any> {
    const res = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports${query}`, {
      key,
      raw: csv,
      headers: { 'content-type': 'text/csv', ...headers },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    return finished(api, key, res.body.id);
  }

  async function contactsOf(workspaceId: string): Promise<any[]> {
    return db.query(
      `SELECT phone, attributes, locale, timezone, consent_status FROM contacts WHERE workspace_id = $1 ORDER BY phone`,
      [workspaceId],
    );
  }

  /**
   * Makes inserting one phone into one workspace's contacts run `statement` (plpgsql) first: a
   * failure or a hang injected into one write lane. Returns the function that removes it.
   */
  async function onContactInsert(
    workspaceId: string,
    phone: string,
    statement: string,
  ): Promise<() => Promise<void>> {
    const fn = `on_contact_insert_${workspaceId.replace(/-/g, '')}`;
    await db.query(`
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.workspace_id = '${workspaceId}' AND NEW.phone = '${phone}' THEN
          ${statement};
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(
      `CREATE TRIGGER ${fn} BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
    return async () => {
      await db.query(`DROP TRIGGER ${fn} ON contacts`);
      await db.query(`DROP FUNCTION ${fn}()`);
    };
  }

  it('imports contacts, attributes, locale and timezone into the audience', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const imp = await importCsv(
      key,
      audienceId,
      'Phone,firstName,locale,timezone\n+5511912345678,Ana,pt-BR,America/Sao_Paulo\n+12125550123,Bob,,\n',
    );
    expect(imp).toMatchObject({
      status: 'completed',
      totalRows: 2,
      created: 2,
      updated: 0,
      skipped: 0,
      failed: 0,
      errors: [],
    });
    expect(imp.startedAt).not.toBeNull();
    expect(imp.finishedAt).not.toBeNull();
    expect(await contactsOf(workspaceId)).toEqual([
      {
        phone: '+12125550123',
        attributes: { firstName: 'Bob' },
        locale: null,
        timezone: null,
        consent_status: 'none',
      },
      {
        phone: '+5511912345678',
        attributes: { firstName: 'Ana' },
        locale: 'pt-BR',
        timezone: 'America/Sao_Paulo',
        consent_status: 'none',
      },
    ]);
    const aud = await http(api.url, 'GET', `/v1/audiences/${audienceId}`, { key });
    expect(aud.body.memberCount).toBe(2);
  });

  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('detects the %j delimiter (%s) and accepts it given', async (d) => {
    const { key, audienceId, workspaceId } = await setup();
    const csv = `phone${d}name${d}city\n+12125550123${d}Bob${d}NYC\n+442079460958${d}Amy${d}London\n`;
    const detected = await importCsv(key, audienceId, csv);
    expect(detected).toMatchObject({ status: 'completed', created: 2, failed: 0 });
    expect((await contactsOf(workspaceId))[0].attributes).toEqual({ name: 'Bob', city: 'NYC' });
    const given = await importCsv(
      key,
      audienceId,
      csv,
      `?delimiter=${encodeURIComponent(d === '\t' ? 'tab' : d)}`,
    );
    expect(given).toMatchObject({ status: 'completed', created: 0, updated: 0, skipped: 2 });
  });

  it('reads UTF-8 with a BOM and quoted fields with embedded newlines and delimiters', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        'phone,note,name\n+12125550123,"line one\nline two, with comma",José\n"+442079460958","say ""hi""",Zoë\n',
      ),
    ]);
    const imp = await importCsv(key, audienceId, csv);
    expect(imp).toMatchObject({ status: 'completed', totalRows: 2, created: 2, failed: 0 });
    const rows = await contactsOf(workspaceId);
    expect(rows[0].attributes).toEqual({ note: 'line one\nline two, with comma', name: 'José' });
    expect(rows[1].attributes).toEqual({ note: 'say "hi"', name: 'Zoë' });
  });

  it('merges duplicate phones of one file into one contact', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const csv = 'phone,a,b\n+12125550123,1,\n+1 (212) 555-0123,,2\n+442079460958,x,y\n';
    const imp = await importCsv(key, audienceId, csv);
    expect(imp).toMatchObject({
      status: 'completed',
      totalRows: 3,
      created: 2,
      skipped: 1,
      failed: 0,
    });
    const rows = await contactsOf(workspaceId);
    expect(rows).toHaveLength(2);
    expect(rows[0].attributes).toEqual({ a: '1', b: '2' });
  });

  it('reports bad rows with row number and reason, and imports the rest', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const csv = [
      'phone,name',
      '+12125550123,ok',
      'not-a-phone,bad phone',
      '+442079460958,too,many',
      `+5511912345678,${'x'.repeat(1001)}`,
      '+5511912345679,ok too',
    ].join('\n');
    const imp = await importCsv(key, audienceId, csv);
    expect(imp).toMatchObject({ status: 'completed', totalRows: 5, created: 2, failed: 3 });
    expect(imp.errors).toEqual([
      { row: 3, column: 'phone', reason: expect.stringMatching(/not digits|not a valid/) },
      { row: 4, reason: 'expected 2 columns, found 3' },
      { row: 5, column: 'name', reason: 'value is longer than 1000 characters' },
    ]);
    expect((await contactsOf(workspaceId)).map((r) => r.phone)).toEqual([
      '+12125550123',
      '+5511912345679',
    ]);
  });

  it('fails an empty file, a file without a phone column and a binary file with a clear reason', async () => {
    const { key, audienceId } = await setup();
    const empty = await importCsv(key, audienceId, '');
    expect(empty).toMatchObject({
      status: 'failed',
      failureReason: 'the file is empty',
      totalRows: 0,
    });
    const blank = await importCsv(key, audienceId, '\n\n  \n');
    expect(blank).toMatchObject({ status: 'failed', failureReason: 'the file is empty' });
    const noPhone = await importCsv(key, audienceId, 'name,email\nAna,a@x.io\n');
    expect(noPhone.status).toBe('failed');
    expect(noPhone.failureReason).toMatch(/no phone column.*"name", "email"/);
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff,
      0xfe,
    ]);
    const binary = await importCsv(key, audienceId, png);
    expect(binary.status).toBe('failed');
    expect(binary.failureReason).toMatch(/not UTF-8 text|binary/);
    const nul = await importCsv(key, audienceId, Buffer.from('phone\n+12125550123\u0000\u0001\n'));
    expect(nul.failureReason).toMatch(/binary/);
  });

  it('maps columns with ?mapping= and uses ?defaultCountry= for national numbers', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const mapping = encodeURIComponent(
      JSON.stringify({ Mobile: 'phone', 'First name': 'attributes.firstName', Secret: null }),
    );
    const csv = 'Mobile,First name,Secret,phone\n(11) 91234-5678,Ana,pw,x\n';
    const imp = await importCsv(key, audienceId, csv, `?mapping=${mapping}&defaultCountry=BR`);
    expect(imp).toMatchObject({ status: 'completed', created: 1, failed: 0 });
    expect(await contactsOf(workspaceId)).toEqual([
      expect.objectContaining({
        phone: '+5511912345678',
        attributes: { firstName: 'Ana', phone: 'x' },
      }),
    ]);
    const bad = await http(
      api.url,
      'POST',
      `/v1/audiences/${audienceId}/imports?mapping=%7B%22a%22%3A%22nope%22%7D`,
      {
        key,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_IMPORT_OPTIONS');
  });

  it('accepts multipart/form-data with a file field', async () => {
    const { key, audienceId } = await setup();
    const form = new FormData();
    form.append('note', 'ignored');
    form.append(
      'file',
      new Blob(['phone\n+12125550123\n+442079460958\n'], { type: 'text/csv' }),
      'list.csv',
    );
    const res = await fetch(`${api.url}/v1/audiences/${audienceId}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const body: any = await res.json();
    expect(await finished(api, key, body.id)).toMatchObject({ status: 'completed', created: 2 });
    const noFile = new FormData();
    noFile.append('other', 'x');
    const bad = await fetch(`${api.url}/v1/audiences/${audienceId}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: noFile,
    });
    expect(bad.status).toBe(400);
  });

  it('changes nothing when the same file is imported again', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const lines = ['phone,n'];
    for (let i = 0; i < 180; i++) {
      lines.push(`+1212555${String(1000 + i)},${i}`);
    }
    lines.push('+12125551000,0'); // duplicate of the first row, in another batch
    const csv = lines.join('\n');
    const first = await importCsv(key, audienceId, csv);
    expect(first).toMatchObject({
      status: 'completed',
      totalRows: 181,
      created: 180,
      updated: 0,
      skipped: 1,
    });
    const before = await db.query(
      `SELECT id, updated_at FROM contacts WHERE workspace_id = $1 ORDER BY id`,
      [workspaceId],
    );
    const second = await importCsv(key, audienceId, csv);
    expect(second).toMatchObject({
      status: 'completed',
      totalRows: 181,
      created: 0,
      updated: 0,
      skipped: 181,
    });
    const after = await db.query(
      `SELECT id, updated_at FROM contacts WHERE workspace_id = $1 ORDER BY id`,
      [workspaceId],
    );
    expect(after).toEqual(before);
    expect(
      (await http(api.url, 'GET', `/v1/audiences/${audienceId}`, { key })).body.memberCount,
    ).toBe(180);
    const changed = await importCsv(
      key,
      audienceId,
      'phone,n\n+12125551000,changed\n+12125551001,1\n',
    );
    expect(changed).toMatchObject({ created: 0, updated: 1, skipped: 1 });
  });

  it('keeps an opt-out when a later import says opted in', async () => {
    const { key, audienceId, workspaceId } = await setup();
    await http(api.url, 'POST', '/v1/consents', {
      key,
      body: { phone: '+12125550123', status: 'opted_out', source: 'whatsapp-stop' },
    });
    const imp = await importCsv(
      key,
      audienceId,
      'phone\n+12125550123\n+442079460958\n',
      '?optInSource=spring-fair',
    );
    expect(imp).toMatchObject({ status: 'completed', failed: 0 });
    const rows = await contactsOf(workspaceId);
    expect(rows.map((r) => [r.phone, r.consent_status])).toEqual([
      ['+12125550123', 'opted_out'],
      ['+442079460958', 'opted_in'],
    ]);
    const ledger = await db.query(
      `SELECT l.status, l.source, l.recorded_by_kind, l.recorded_by_id FROM consent_ledger l JOIN contacts c ON c.id = l.contact_id
        WHERE c.workspace_id = $1 AND c.phone = '+442079460958'`,
      [workspaceId],
    );
    expect(ledger).toEqual([
      {
        status: 'opted_in',
        source: 'spring-fair',
        recorded_by_kind: 'import',
        recorded_by_id: imp.id,
      },
    ]);
    // re-running the import appends nothing and still does not override the opt-out
    await importCsv(
      key,
      audienceId,
      'phone\n+12125550123\n+442079460958\n',
      '?optInSource=spring-fair',
    );
    const count = await db.query(
      `SELECT count(*)::int AS n FROM consent_ledger WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(count[0].n).toBe(2);
    expect((await contactsOf(workspaceId))[0].consent_status).toBe('opted_out');
  });

  it('answers an Idempotency-Key replay with the first answer and refuses another body under it', async () => {
    const { key, audienceId } = await setup();
    const csv = 'phone\n+12125550123\n';
    const headers = { 'content-type': 'text/csv', 'idempotency-key': 'import-42' };
    const first = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
      key,
      raw: csv,
      headers,
    });
    const again = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
      key,
      raw: csv,
      headers,
    });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const other = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
      key,
      raw: 'phone\n+442079460958\n',
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await finished(api, key, first.body.id);
    const imports = await db.query(
      `SELECT count(*)::int AS n FROM imports WHERE audience_id = $1`,
      [audienceId],
    );
    expect(imports[0].n).toBe(1);
  });

  it("isolates imports by workspace: another workspace's ids answer 404", async () => {
    const a = await setup();
    const b = await setup();
    const imp = await importCsv(a.key, a.audienceId, 'phone\n+12125550123\n');
    expect((await http(api.url, 'GET', `/v1/imports/${imp.id}`, { key: b.key })).status).toBe(404);
    const into = await http(api.url, 'POST', `/v1/audiences/${a.audienceId}/imports`, {
      key: b.key,
      raw: 'phone\n+442079460958\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(into.status).toBe(404);
    expect(await contactsOf(b.workspaceId)).toEqual([]);
  });

  it('refuses an upload above IMPORT_MAX_BYTES without storing it', async () => {
    const small = testConfig({ IMPORT_MAX_BYTES: '2048' });
    const tiny = await startApi(small);
    try {
      const { apiKey } = await newWorkspace(tiny);
      const aud = await http(tiny.url, 'POST', '/v1/audiences', {
        key: apiKey,
        body: { name: 'x' },
      });
      const res = await http(tiny.url, 'POST', `/v1/audiences/${aud.body.id}/imports`, {
        key: apiKey,
        raw: 'phone\n' + '+12125550123\n'.repeat(400),
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status).toBe(413);
      const left = await db.query(`SELECT count(*)::int AS n FROM imports WHERE audience_id = $1`, [
        aud.body.id,
      ]);
      expect(left[0].n).toBe(0);
    } finally {
      await tiny.close();
    }
  });

  it.each([
    ['the part holding the bad rows', 0],
    ['the other part', 1],
  ])(
    'finishes an import of which one write part committed (%s failed) without doubling or losing a row',
    async (_, failingPart) => {
      const { key, audienceId, workspaceId } = await setup();
      // One batch (IMPORT_BATCH_ROWS=50). Phones ending in an even digit are written by part 0.
      const lines = ['phone,n'];
      for (let i = 0; i < 40; i++) {
        lines.push(`+1212555${8000 + i},${i}`);
      }
      lines.push('bad-phone,x', '+12125558003,again', '+12125558041,a,b');
      const victim = failingPart === 0 ? '+12125558002' : '+12125558001';
      const remove = await onContactInsert(
        workspaceId,
        victim,
        `RAISE EXCEPTION 'injected failure'`,
      );
      let state: any;
      let id: string;
      try {
        const res = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
          key,
          raw: lines.join('\n'),
          headers: { 'content-type': 'text/csv' },
        });
        expect(res.status).toBe(202);
        id = res.body.id;
        const deadline = Date.now() + 10_000;
        do {
          await new Promise((r) => setTimeout(r, 20));
          [state] = await db.query(
            `SELECT checkpoint_row, part_checkpoints FROM imports WHERE id = $1`,
            [id],
          );
        } while (state.part_checkpoints.every((c: string) => c === '0') && Date.now() < deadline);
      } finally {
        // The job retries after its back-off (2 s); by then the failure is gone.
        await remove();
      }
      expect(state).toEqual({
        checkpoint_row: '0',
        part_checkpoints: failingPart === 0 ? ['0', '44'] : ['44', '0'],
      });
      const imp = await finished(api, key, id);
      expect(imp).toMatchObject({
        status: 'completed',
        totalRows: 43,
        created: 40,
        updated: 0,
        skipped: 1,
        failed: 2,
      });
      expect(imp.errors.map((e: any) => e.row)).toEqual([42, 44]);
      const errorRows = await db.query(
        `SELECT count(*)::int AS n FROM import_errors WHERE import_id = $1`,
        [id],
      );
      expect(errorRows[0].n).toBe(2);
      const contacts = await contactsOf(workspaceId);
      expect(contacts).toHaveLength(40);
      expect(contacts.find((c) => c.phone === '+12125558003').attributes).toEqual({ n: 'again' });
      const aud = await http(api.url, 'GET', `/v1/audiences/${audienceId}`, { key });
      expect(aud.body.memberCount).toBe(40);
      const [done] = await db.query(
        `SELECT checkpoint_row, part_checkpoints FROM imports WHERE id = $1`,
        [id],
      );
      expect(done).toEqual({ checkpoint_row: '44', part_checkpoints: ['44', '44'] });
    },
  );

  it('resumes lanes that stopped at different rows, even with another batch size', async () => {
    const { key, audienceId, workspaceId } = await setup();
    const lines = ['phone,n'];
    for (let i = 0; i < 60; i++) {
      lines.push(`+1212555${8000 + i},${i}`);
    }
    lines.push('bad-phone,x', '+12125558003,again', '+12125558061,a,b');
    // Lane 1 (odd last digit) hangs on its first batch; lane 0 goes on until the parser waits
    // for lane 1 (a third write queued), which makes lane 0 stop after its third batch of 10.
    const remove = await onContactInsert(workspaceId, '+12125558001', 'PERFORM pg_sleep(30)');
    config.imports.batchRows = 10;
    let state: any;
    let id: string;
    try {
      const res = await http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
        key,
        raw: lines.join('\n'),
        headers: { 'content-type': 'text/csv' },
      });
      id = res.body.id;
      const deadline = Date.now() + 10_000;
      do {
        await new Promise((r) => setTimeout(r, 20));
        [state] = await db.query(
          `SELECT checkpoint_row, part_checkpoints FROM imports WHERE id = $1`,
          [id],
        );
      } while (state.part_checkpoints[0] !== '31' && Date.now() < deadline);
      const cancelled = await db.query(
        `SELECT pg_cancel_backend(pid) AS ok FROM pg_stat_activity
          WHERE application_name = 'mmlite-import' AND wait_event = 'PgSleep'`,
      );
      expect(cancelled).toEqual([{ ok: true }]);
    } finally {
      await remove();
      // The retry (after the job's 2 s back-off) cuts batches elsewhere: 7 rows from row 2.
      config.imports.batchRows = 7;
    }
    try {
      expect(state).toEqual({ checkpoint_row: '0', part_checkpoints: ['31', '0'] });
      const imp = await finished(api, key, id);
      expect(imp).toMatchObject({
        status: 'completed',
        totalRows: 63,
        created: 60,
        // row 63 repeats row 5 in a later batch: an update, not an in-batch merge
        updated: 1,
        skipped: 0,
        failed: 2,
      });
      expect(imp.errors.map((e: any) => e.row)).toEqual([62, 64]);
      const contacts = await contactsOf(workspaceId);
      expect(contacts).toHaveLength(60);
      expect(contacts.find((c) => c.phone === '+12125558003').attributes).toEqual({ n: 'again' });
      const aud = await http(api.url, 'GET', `/v1/audiences/${audienceId}`, { key });
      expect(aud.body.memberCount).toBe(60);
    } finally {
      config.imports.batchRows = 50;
    }
  });

  it('moves the part checkpoints along when an older worker advances checkpoint_row alone', async () => {
    const { key, audienceId } = await setup();
    const imp = await importCsv(key, audienceId, 'phone\n+12125558100\n+12125558101\n');
    expect(imp.status).toBe('completed');
    // what the previous release's runner wrote per batch (a rolling deploy)
    await db.query(`UPDATE imports SET checkpoint_row = 40 WHERE id = $1`, [imp.id]);
    const [row] = await db.query(
      `SELECT checkpoint_row, part_checkpoints FROM imports WHERE id = $1`,
      [imp.id],
    );
    expect(row).toEqual({ checkpoint_row: '40', part_checkpoints: ['40', '40'] });
  });

  it('keeps memberCount exact when imports into one audience run at the same time', async () => {
    const { key, audienceId } = await setup();
    const file = (from: number, to: number): string =>
      [
        'phone',
        ...Array.from(
          { length: to - from },
          (_, i) => `+1212555${String(from + i).padStart(4, '0')}`,
        ),
      ].join('\n');
    // overlapping ranges: 0..599, 300..899, 150..749 → 900 distinct phones
    const posts = await Promise.all(
      [file(0, 600), file(300, 900), file(150, 750)].map((csv) =>
        http(api.url, 'POST', `/v1/audiences/${audienceId}/imports`, {
          key,
          raw: csv,
          headers: { 'content-type': 'text/csv' },
        }),
      ),
    );
    const results = await Promise.all(posts.map((p) => finished(api, key, p.body.id)));
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(results.reduce((s, r) => s + r.created, 0)).toBe(900);
    const aud = await http(api.url, 'GET', `/v1/audiences/${audienceId}`, { key });
    const real = await db.query(
      `SELECT count(*)::int AS n FROM audience_members WHERE audience_id = $1`,
      [audienceId],
    );
    expect(real[0].n).toBe(900);
    expect(aud.body.memberCount).toBe(900);
  });
});
