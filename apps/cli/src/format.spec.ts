import {
  campaignProgress,
  csvLine,
  formatCountsLine,
  formatDuration,
  formatImport,
  formatNumber,
  formatPairs,
  formatReport,
  formatTable,
  humanize,
  messageCsvLine,
  type CampaignCounts,
} from './format';

const counts = (over: Partial<CampaignCounts> = {}): CampaignCounts => ({
  targeted: 0,
  skipped: 0,
  queued: 0,
  sending: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  clicked: 0,
  failed: 0,
  ...over,
});

describe('formatting numbers, durations and names', () => {
  it('groups thousands and trims trailing decimals', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(-9876)).toBe('-9,876');
    expect(formatNumber(408.3125)).toBe('408.31');
    expect(formatNumber(2.5)).toBe('2.5');
    expect(formatNumber(1000.1)).toBe('1,000.1');
  });

  it('shows short durations in seconds and long ones in minutes', () => {
    expect(formatDuration(4200)).toBe('4.2s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_725_000)).toBe('1h 02m 05s');
  });

  it('turns camelCase and snake_case keys into words', () => {
    expect(humanize('deliveryRate')).toBe('delivery rate');
    expect(humanize('failures_by_code')).toBe('failures by code');
  });
});

describe('tables', () => {
  it('aligns columns and right-aligns numeric ones', () => {
    const t = formatTable(
      ['code', 'title', 'count'],
      [
        ['131026', 'Message undeliverable', 12],
        ['131049', 'Per-user marketing limit', 1500],
      ],
    );
    expect(t.split('\n')).toEqual([
      'code    title                     count',
      '------  ------------------------  -----',
      '131026  Message undeliverable        12',
      '131049  Per-user marketing limit  1,500',
    ]);
  });

  it('prints a dash for missing cells', () => {
    expect(formatTable(['a', 'b'], [['x', null]]).split('\n')[2]).toBe('x  -');
  });

  it('aligns label/value pairs without a header', () => {
    expect(
      formatPairs(
        [
          ['sent', 10],
          ['delivered', 9],
        ],
        '  ',
      ),
    ).toBe('  sent       10\n  delivered  9');
  });
});

describe('campaign progress', () => {
  it('counts sent, failed and skipped recipients as done out of targeted', () => {
    expect(
      campaignProgress({
        id: 'c',
        name: 'n',
        status: 'running',
        counts: counts({ targeted: 100, queued: 30, sending: 5, sent: 60, skipped: 5 }),
      }),
    ).toEqual({ done: 65, total: 100 });
  });

  it('summarises live counts on one line', () => {
    expect(formatCountsLine(counts({ sent: 1200, delivered: 1100, read: 700, failed: 3 }))).toBe(
      'sent 1,200 · delivered 1,100 · read 700 · clicked 0 · failed 3 · skipped 0',
    );
  });
});

describe('imports', () => {
  it('says what the import did and lists its first bad rows', () => {
    const text = formatImport(
      {
        id: 'i1',
        status: 'completed',
        totalRows: 10,
        created: 7,
        updated: 0,
        skipped: 1,
        failed: 2,
        errors: [
          { row: 3, column: 'phone', reason: 'phone is missing' },
          { row: 8, reason: 'too many columns' },
        ],
      },
      1,
    );
    expect(text.split('\n')).toEqual([
      'import i1 completed: 10 rows read, 7 created, 0 updated, 1 unchanged, 2 rejected',
      '  row 3 (phone): phone is missing',
      '  … and 1 more rejected rows',
    ]);
  });
});

describe('the campaign report', () => {
  const report = {
    campaignId: 'c1',
    status: 'completed',
    funnel: { targeted: 1000, sent: 990, delivered: 950, read: 600, clicked: 40 },
    rates: {
      deliveryRate: { campaign: 0.9596, benchmark: null },
      readRate: { campaign: 0.6316, benchmark: 0.7027 },
    },
    failuresByCode: [
      { code: 131026, title: 'Message undeliverable', count: 7 },
      { code: 131049, title: 'Per-user marketing limit', count: 3 },
    ],
    conversions: [],
    revenue: 1234.5,
  };

  it('lays out scalars, flat objects, objects of objects and lists as tables', () => {
    const text = formatReport(report);
    expect(text).toContain('campaign id  c1');
    expect(text).toContain('revenue      1,234.5');
    expect(text).toContain('funnel\n  targeted   1,000\n  sent       990');
    expect(text).toContain('rates\n');
    expect(text).toMatch(/read rate\s+63\.2%\s+70\.3%/);
    expect(text).toMatch(/delivery rate\s+96\.0%\s+-/);
    expect(text).toMatch(/failures by code\n\s*code\s+title\s+count/);
    expect(text).toMatch(/131049\s+Per-user marketing limit\s+3/);
    expect(text).toContain('conversions: none');
  });

  it('keeps percents as percents when the report gives rates above 1', () => {
    const text = formatReport({ deliveryRate: 95.96, readRate: 0.5 });
    expect(text).toContain('delivery rate  96.0%');
    expect(text).toContain('read rate      0.5%');
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', ' pad', 3, null])).toBe(
      'a,"b,c","say ""hi""","two\nlines"," pad",3,',
    );
  });

  it('writes a campaign message in the export column order', () => {
    expect(
      messageCsvLine({
        id: '1',
        contactId: 'k',
        phone: '+5511912345678',
        status: 'failed',
        skipReason: null,
        wamid: 'wamid.X',
        errorCode: 131026,
        errorTitle: 'Message undeliverable',
        attempts: 1,
        sentAt: '2025-01-01T00:00:00.000Z',
      }),
    ).toBe(
      '1,k,+5511912345678,failed,,wamid.X,131026,Message undeliverable,1,2025-01-01T00:00:00.000Z,,,,',
    );
  });
});
