import { ApiError, describeApiError } from './api-client';

describe('API errors', () => {
  it("say the route, the status and the API's message, code and request id", () => {
    const e = new ApiError(
      409,
      'POST',
      '/v1/campaigns/c1/pause',
      {
        statusCode: 409,
        error: 'Conflict',
        message: 'campaign c1 is completed; it cannot be paused',
        code: 'CAMPAIGN_STATE_CONFLICT',
        requestId: 'r-1',
      },
      '',
    );
    expect(e.message).toBe(
      'POST /v1/campaigns/c1/pause failed with 409 Conflict: campaign c1 is completed; it cannot be paused (code CAMPAIGN_STATE_CONFLICT, request r-1)',
    );
    expect(e.routeMissing).toBe(false);
  });

  it('list validation details one per line', () => {
    const text = describeApiError(
      400,
      'POST',
      '/v1/audiences',
      {
        error: 'Bad Request',
        message: 'validation failed',
        details: [{ field: 'name', problems: ['name must be a string', 'name is too long'] }],
      },
      '',
    );
    expect(text.split('\n')).toEqual([
      'POST /v1/audiences failed with 400 Bad Request: validation failed',
      '  - name: name must be a string; name is too long',
    ]);
  });

  it('fall back to the raw text when the body is not JSON', () => {
    expect(describeApiError(502, 'GET', '/v1/x', null, 'Bad gateway\n')).toBe(
      'GET /v1/x failed with 502: Bad gateway',
    );
  });

  it('tell a missing route (no code) from a missing object (with a code)', () => {
    const route = new ApiError(
      404,
      'GET',
      '/v1/campaigns/c1/report',
      { statusCode: 404, message: 'Cannot GET /v1/campaigns/c1/report' },
      '',
    );
    const object = new ApiError(
      404,
      'GET',
      '/v1/campaigns/c1/report',
      { statusCode: 404, message: 'campaign c1 not found', code: 'CAMPAIGN_NOT_FOUND' },
      '',
    );
    expect(route.routeMissing).toBe(true);
    expect(object.routeMissing).toBe(false);
  });
});
