import { GraphErrorCode } from '@app/graph-contract';
import { GraphApiError, categorizeGraphError, type GraphErrorCategory } from './graph-api.error';

const EXPECTED: Array<[number, GraphErrorCategory]> = [
  [0, 'auth'],
  [1, 'transient'],
  [2, 'transient'],
  [3, 'auth'],
  [4, 'rate-limit'],
  [10, 'auth'],
  [100, 'permanent'],
  [190, 'auth'],
  [200, 'auth'],
  [250, 'auth'],
  [299, 'auth'],
  [368, 'auth'],
  [80007, 'rate-limit'],
  [80008, 'rate-limit'],
  [130403, 'permanent'],
  [130429, 'throughput'],
  [130472, 'permanent'],
  [130497, 'permanent'],
  [131000, 'transient'],
  [131005, 'auth'],
  [131008, 'template'],
  [131009, 'template'],
  [131016, 'transient'],
  [131021, 'permanent'],
  [131026, 'permanent'],
  [131031, 'auth'],
  [131037, 'auth'],
  [131042, 'payment'],
  [131045, 'auth'],
  [131047, 'permanent'],
  [131048, 'throughput'],
  [131049, 'per-user-cap'],
  [131050, 'opted-out'],
  [131051, 'permanent'],
  [131055, 'template'],
  [131056, 'pair-rate'],
  [131057, 'transient'],
  [131061, 'permanent'],
  [131062, 'permanent'],
  [131063, 'auth'],
  [131064, 'auth'],
  [132000, 'template'],
  [132001, 'template'],
  [132005, 'template'],
  [132007, 'template'],
  [132012, 'template'],
  [132015, 'template'],
  [132016, 'template'],
  [132018, 'template'],
  [132068, 'template'],
  [132069, 'template'],
  [133010, 'auth'],
  [133016, 'auth'],
  [134100, 'template'],
  [134101, 'template'],
  [134102, 'template'],
  [135000, 'permanent'],
  [1752041, 'permanent'],
  [2494100, 'transient'],
];

describe('categorizeGraphError', () => {
  it.each(EXPECTED)('maps code %i to %s', (code, category) => {
    expect(categorizeGraphError(code)).toBe(category);
  });

  it('covers every code the contract names', () => {
    const covered = new Set(EXPECTED.map(([c]) => c));
    for (const code of Object.values(GraphErrorCode)) {
      expect(covered.has(code)).toBe(true);
    }
  });

  it('treats unknown codes as permanent', () => {
    expect(categorizeGraphError(999999)).toBe('permanent');
  });
});

describe('GraphApiError.fromBody', () => {
  it('parses Meta error bodies', () => {
    const e = GraphApiError.fromBody(400, {
      error: {
        message: '(#130429) Rate limit hit',
        type: 'OAuthException',
        code: 130429,
        error_subcode: 2494055,
        error_data: {
          messaging_product: 'whatsapp',
          details: 'Cloud API message throughput has been reached.',
        },
        fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      },
    });
    expect(e).toMatchObject({
      code: 130429,
      subcode: 2494055,
      category: 'throughput',
      retryable: true,
      retryAfterMs: 1000,
      details: 'Cloud API message throughput has been reached.',
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    });
  });

  it('retries exactly the R and RW codes of §5.2', () => {
    const retryable = (code: number) =>
      GraphApiError.fromBody(400, { error: { code, message: 'x', type: 'x' } }).retryable;
    for (const code of [
      1, 2, 4, 80007, 80008, 130429, 131000, 131016, 131048, 131049, 131056, 131057, 134101,
      2494100,
    ]) {
      expect([code, retryable(code)]).toEqual([code, true]);
    }
    for (const code of [
      0, 3, 10, 100, 190, 200, 368, 131026, 131050, 131055, 132000, 132001, 132015, 132016, 134100,
      134102,
    ]) {
      expect([code, retryable(code)]).toEqual([code, false]);
    }
    expect(
      GraphApiError.fromBody(400, { error: { code: 134101, message: 'x', type: 'x' } })
        .retryAfterMs,
    ).toBe(600_000);
  });

  it('dispatches on the code, not the HTTP status (134102 is a 500 but not transient)', () => {
    const e = GraphApiError.fromBody(500, {
      error: { code: 134102, message: 'x', type: 'OAuthException' },
    });
    expect(e).toMatchObject({ category: 'template', retryable: false, type: 'OAuthException' });
  });

  it('does not retry an opted-out recipient or a bad token', () => {
    expect(
      GraphApiError.fromBody(400, { error: { code: 131050, message: 'x', type: 'x' } }).retryable,
    ).toBe(false);
    expect(
      GraphApiError.fromBody(401, { error: { code: 190, message: 'x', type: 'x' } }).retryable,
    ).toBe(false);
  });

  it('prefers the usage header wait over the default', () => {
    const e = GraphApiError.fromBody(
      400,
      { error: { code: 80008, message: 'x', type: 'x' } },
      300_000,
    );
    expect(e.retryAfterMs).toBe(300_000);
  });

  it('treats a 5xx without a Graph body as transient', () => {
    const e = GraphApiError.fromBody(502, '<html>bad gateway</html>');
    expect(e).toMatchObject({ category: 'transient', retryable: true, code: -1 });
    expect(GraphApiError.fromBody(404, null)).toMatchObject({
      category: 'permanent',
      retryable: false,
    });
  });
});
