/** The OpenAPI document, generated from the same schemas that validate requests. */
import swagger from '@fastify/swagger';
import type { App } from './types.js';

export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'mooncdn management API',
        version: '1.0',
        description:
          'Wire-compatible with the Azure China CDN management REST API v1.0. Every route takes apiVersion=1.0 and is signed: ' +
          'Authorization: AzureCDN {keyId}:{HMAC-SHA256 hex of "{path}\\r\\n{sorted queries}\\r\\n{x-azurecdn-request-date}\\r\\n{METHOD}"}. ' +
          'Responses are what the live service sent: JSON booleans and numbers, EndpointId and EndpointID, Settings and Setting. ' +
          'Input property names match in any case, and under the other names an x-aliases keyword lists; null means absent; ' +
          'booleans and numbers may also be strings.',
      },
      components: {
        securitySchemes: {
          AzureCDN: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AzureCDN {keyId}:{signature}, with x-azurecdn-request-date.' },
        },
      },
    },
  });
}

export function openApiRoute(app: App): void {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
