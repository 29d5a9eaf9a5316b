import { buildOpenApiDocument } from '../openapi-document';

// Routes that answer something other than a JSON body of a DTO.
const UNTYPED = new Set([
  'get /health',
  'get /metrics',
  'get /webhooks/whatsapp',
  'post /webhooks/whatsapp',
  'get /v1/campaigns/{id}/messages.csv',
  // 204, no body.
  'delete /v1/segments/{id}',
]);

describe('the OpenAPI document', () => {
  it('types the 2xx answer of every JSON route (the web app is typed from it)', async () => {
    const doc = await buildOpenApiDocument();
    const untyped: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        const name = `${method} ${path}`;
        if (UNTYPED.has(name) || typeof op !== 'object' || !op.responses) {
          continue;
        }
        const ok = Object.entries(op.responses as Record<string, any>).find(([code]) =>
          code.startsWith('2'),
        );
        if (!ok?.[1]?.content?.['application/json']?.schema) {
          untyped.push(name);
        }
      }
    }
    // Add @ApiOkResponse / @ApiCreatedResponse / @ApiAcceptedResponse({ type }) to these routes.
    expect(untyped).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/campaigns/{id}/report');
  });
});
