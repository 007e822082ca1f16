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
          'booleans and numbers may also be strings. ' +
          'Extensions (mooncdn only; a v1.0 client never meets them): operation history; wait=N on ListOperation (long-poll); ' +
          'the operation event stream (text/event-stream); an optional Idempotency-Key header on every POST, PUT and DELETE; ' +
          '"*" wildcards in purge URL paths; Tags (cache tags) and Soft (mark stale, revalidate) in purges, with Tags and Soft in the purge result; webhooks.',
      },
      components: {
        securitySchemes: {
          AzureCDN: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AzureCDN {keyId}:{signature}, with x-azurecdn-request-date.' },
        },
      },
    },
    transformObject: (documentObject) => withExtensions((documentObject as { openapiObject: unknown }).openapiObject as OpenApiDocument) as never,
  });
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, { parameters?: unknown[]; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

const IDEMPOTENCY_KEY_PARAMETER = {
  in: 'header',
  name: 'Idempotency-Key',
  required: false,
  schema: { type: 'string', maxLength: 255 },
  description:
    'Extension (draft-ietf-httpapi-idempotency-key-header): any unique text, e.g. a UUID, optionally in double quotes. The same key with the same ' +
    'request (method, URL, body) within 24 hours gets the first successful answer again (same status, body and operation id, with ' +
    'Idempotent-Replayed: true); with another request it is 422 ParameterInvalid; while the first request is still being answered, 409 ' +
    'ParameterInvalid with Retry-After. Error answers are not kept.',
};

/** What the route schemas cannot say: the Idempotency-Key header of every change, and the event stream's media type. */
function withExtensions(document: OpenApiDocument): OpenApiDocument {
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      const changes = method === 'post' || method === 'put' || method === 'delete';
      if (changes && !operation.parameters?.includes(IDEMPOTENCY_KEY_PARAMETER)) operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
      const ok = operation.responses?.['200'];
      if (path.endsWith('/events') && ok?.content?.['application/json']) {
        ok.content = { 'text/event-stream': ok.content['application/json'] };
      }
    }
  }
  return document;
}

export function openApiRoute(app: App): void {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
