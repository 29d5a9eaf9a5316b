import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorBody } from './error-body';

/**
 * The OpenAPI document of the API, from the DTOs' decorators: served at /docs-json and the source
 * of the web app's types (scripts/api-types.ts). Every route declares its 2xx body with
 * @ApiOkResponse / @ApiCreatedResponse / @ApiAcceptedResponse; every error is an ErrorBody.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('MM Lite campaign engine')
    .setDescription(
      'Bulk WhatsApp marketing campaigns over the Marketing Messages Lite API. Every /v1 route needs `Authorization: Bearer <api-key>`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'workspace API key' })
    .addSecurityRequirements('bearer')
    .addGlobalResponse({ status: 'default', description: 'an error', type: ErrorBody })
    .build();
  return SwaggerModule.createDocument(app, doc);
}
