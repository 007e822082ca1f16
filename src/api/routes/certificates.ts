/** HTTPS certificates (stored at once) and bindings (an operation on the endpoint). */
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Errors } from '../../contract/errors.js';
import { AsyncResponse, ErrorResponse } from '../../contract/schemas/api-response.js';
import { Certificate, CertificateUpload, HttpsBindingInput } from '../../contract/schemas/certificate.js';
import { parseCertificateUpload } from '../../domain/certificate.js';
import { checkText } from '../../domain/text.js';
import { presentCertificate } from '../presenters.js';
import { ApiVersionQuery, SIGNED, SubscriptionParams, UuidParam } from '../route-params.js';
import type { App } from '../types.js';
import { accepted, authOf, type RouteDeps } from './route-deps.js';

const tags = ['HTTPS'];

export function certificateRoutes(app: App, deps: RouteDeps): void {
  const { store, commands, clock } = deps;
  app.post('/subscriptions/:subscriptionId/https/certificates', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Https_UploadCertificate', tags, security: SIGNED,
      params: SubscriptionParams, querystring: ApiVersionQuery, body: CertificateUpload,
      response: { 200: Certificate, default: ErrorResponse },
    },
    handler: async (request) => {
      const now = clock.now();
      checkText(request.body.Name, 'Name');
      const parsed = parseCertificateUpload(request.body.PublicCertificate, request.body.PrivateKey, now);
      const certificate = { ...parsed, id: randomUUID(), subscriptionId: authOf(request).subscriptionId, name: request.body.Name, createdAt: now };
      await store.certificates.insert(certificate);
      return presentCertificate(certificate);
    },
  });

  // Extensions: reading back what was uploaded (never the private key).
  app.get('/subscriptions/:subscriptionId/https/certificates', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Https_ListCertificates', tags, security: SIGNED,
      params: SubscriptionParams, querystring: ApiVersionQuery,
      response: { 200: Type.Array(Certificate), default: ErrorResponse },
    },
    handler: async (request) => (await store.certificates.listBySubscription(authOf(request).subscriptionId)).map(presentCertificate),
  });

  app.get('/subscriptions/:subscriptionId/https/certificates/:certificateId', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Https_GetCertificate', tags, security: SIGNED,
      params: Type.Object({ ...SubscriptionParams.properties, certificateId: UuidParam }), querystring: ApiVersionQuery,
      response: { 200: Certificate, default: ErrorResponse },
    },
    handler: async (request) => {
      const id = request.params.certificateId.toLowerCase();
      const certificate = await store.certificates.get(id);
      if (!certificate || certificate.subscriptionId !== authOf(request).subscriptionId) {
        throw Errors.resourceNotFound(`Certificate "${id}" does not exist in this subscription.`);
      }
      return presentCertificate(certificate);
    },
  });

  app.post('/subscriptions/:subscriptionId/https/bindings', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Https_CreateBinding', tags, security: SIGNED,
      params: SubscriptionParams, querystring: ApiVersionQuery, body: HttpsBindingInput,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(
        deps,
        reply,
        await commands.createHttpsBinding(authOf(request).subscriptionId, request.body.EndpointId.toLowerCase(), request.body.CertificateId.toLowerCase()),
      ),
  });
}
