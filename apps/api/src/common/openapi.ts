import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document at /docs/openapi.json. Routes that need a session say so with
 * @ApiAuthenticated (common/api-errors.decorator.ts); there is no document-wide security requirement,
 * so the public routes (health, sign-in, invitations, download links) carry none.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Homeroom API')
      .setDescription('Safe K-12 school messaging. Contract v1: see API.md.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  closeJsonRequestBodies(document);
  return document;
}

/**
 * The validation pipe refuses properties a DTO does not declare (forbidNonWhitelisted), so every JSON
 * request body schema says `additionalProperties: false`: clients and fuzzers then know an unknown
 * property is a 400, not something quietly dropped.
 */
function closeJsonRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.patch, item.delete]) {
      const body = operation?.requestBody;
      if (!body || !('content' in body)) continue;
      const schema = body.content['application/json']?.schema;
      if (!schema || !('$ref' in schema)) continue;
      const target = schemas[schema.$ref.slice('#/components/schemas/'.length)];
      if (target && !('$ref' in target)) target.additionalProperties = false;
    }
  }
}
