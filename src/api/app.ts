/**
 * The management API, assembled in the order a request meets it:
 *
 *   0. HTTP parsing        what Node's parser refuses (bad method, bare LF, Content-Length with
 *                          Transfer-Encoding, 431) answered in the contract's shape too
 *   1. correlation id      a new UUID per request, in X-Correlation-Id and the log line
 *   2. authentication      signature, subscription, credential, scope, rate, apiVersion
 *                          (onRequest: before the body is read; public routes skip it)
 *   3. body parsing        JSON whatever the Content-Type, at most bodyLimit bytes
 *   4. canonical keys      input property names matched case-insensitively and by alias,
 *                          null as absent; a body with none of the route's properties refused
 *   5. validation          the route's TypeBox schemas
 *   5b. idempotency        POST, PUT and DELETE with Idempotency-Key: the first answer again,
 *                          or the key claimed until this request is answered (extension)
 *   6. handler             thin: calls the store or the operation commands
 *   7. errors              one handler maps everything to the contract's error body
 *   8. log line            one line per request, with its correlation id (polled routes at debug)
 */
import { splitTarget } from '../domain/url-path.js';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { AUTHENTICATION_ERROR_TYPES, Errors } from '../contract/errors.js';
import { ALIASES } from '../contract/schemas/common.js';
import type { Clock } from '../domain/clock.js';
import { RateLimiter } from '../domain/rate-limiter.js';
import type { OperationCommands } from '../operations/commands.js';
import type { Health } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import { createAuthenticationHook } from './authentication/authenticate.js';
import type { SignatureSettings } from './authentication/signature.js';
import { listeningUrl } from './base-url.js';
import { OperationWatch } from './completion/operation-watch.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { canonicalizeKeys, requireKnownProperty } from './pipeline/canonical-keys.js';
import { answerUnmetExpectations, clientErrorHandler } from './pipeline/client-errors.js';
import { registerErrorHandler, sendError } from './pipeline/error-handler.js';
import { registerIdempotency } from './pipeline/idempotency.js';
import { registerJsonBodyParser } from './pipeline/json-body.js';
import { registerNotFound } from './pipeline/not-found.js';
import { parseQueryString } from './pipeline/query-string.js';
import { certificateRoutes } from './routes/certificates.js';
import { consoleRoutes } from './routes/console.js';
import { contentRoutes } from './routes/content.js';
import { endpointRoutes } from './routes/endpoints.js';
import { fleetRoutes } from './routes/fleet.js';
import { operationRoutes } from './routes/operations.js';
import { policyRoutes } from './routes/policies.js';
import { statusRoutes } from './routes/status.js';
import type { RouteDeps } from './routes/route-deps.js';
import { trafficRoutes } from './routes/traffic.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { App } from './types.js';
import './types.js';

export interface ApiOptions {
  readonly store: Store;
  readonly commands: OperationCommands;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signature: SignatureSettings;
  readonly bodyLimitBytes: number;
  readonly cnameSuffix: string;
  /** The address the API listens on, and the URL clients reach it at if not that (--public-url). */
  readonly host: string;
  readonly publicUrl: string | undefined;
  readonly metrics: Metrics;
  readonly health: Health;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Bearer token of the operator routes (GET /edges); without one they answer 404. */
  readonly operatorToken?: string;
  /** Stops what runs beside the API and ends with it (the webhook deliverer). */
  readonly onClose?: () => Promise<void>;
}

export async function buildApi(options: ApiOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: options.bodyLimitBytes,
    exposeHeadRoutes: false,
    // Requests that arrive while it closes are answered like any other (server/embedded.ts
    // stops accepting first), not with Fastify's 503, whose body is not the contract's.
    return503OnClosing: false,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, querystringParser: parseQueryString },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, verbose: true, keywords: [ALIASES] } },
    clientErrorHandler: clientErrorHandler(options.log),
    frameworkErrors: (error, request, reply) => {
      const apiError =
        error.code === 'FST_ERR_BAD_URL'
          ? Errors.parameterInvalid('The URL is malformed (check its percent-encoding).')
          : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? Errors.parameterInvalid('A path segment is longer than 100 characters; identifiers are UUIDs.')
            : Errors.parameterInvalid('The request is malformed.');
      reply.header('x-correlation-id', request.id);
      reply.errorType = apiError.type;
      sendError(apiError, reply);
    },
    // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; stage 1 does it
    // in the contract's shape instead.
    http: { requireHostHeader: false },
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, requireHostHeader: false } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  answerUnmetExpectations(app.server, options.log);
  app.decorateRequest('auth', null);
  app.decorateReply('errorType', null);

  // Every route says whether it is signed (and what it needs) or public; none is public by accident.
  app.addHook('onRoute', (route) => {
    if (route.config?.permission === undefined && route.config?.public !== true) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares neither a permission nor public.`);
    }
  });

  // 1. correlation id (callback style, like 8: no promise per request); HTTP/1.1 requires Host
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-correlation-id', request.id);
    done(request.raw.httpVersion === '1.1' && request.headers.host === undefined ? Errors.missingHost() : undefined);
  });

  // 2. authentication
  app.addHook('onRequest', createAuthenticationHook({
    store: options.store,
    clock: options.clock,
    rateLimiter: new RateLimiter(),
    signature: options.signature,
  }));

  // 3. body parsing
  registerJsonBodyParser(app);

  // 4. canonical keys (before 5. validation, which Fastify runs from the route schemas)
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    if (!schema) return;
    if (schema.body && request.body !== undefined) {
      request.body = canonicalizeKeys(request.body, schema.body as object);
      requireKnownProperty(request.body, schema.body as object);
    }
    if (schema.querystring) request.query = canonicalizeKeys(request.query, schema.querystring as object);
  });

  // 5b. idempotency (preHandler, after 5; the answer is kept in onSend)
  app.decorateRequest('idempotency', null);
  registerIdempotency(app, options.store, options.clock);

  // 7. errors: contract errors, unknown routes and wrong methods
  registerErrorHandler(app);
  registerNotFound(app);

  // 8. log line and metrics
  const { metrics, log } = options;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.recordApiRequest(request.routeOptions.url ?? 'unknown', request.method, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.errorType && AUTHENTICATION_ERROR_TYPES.has(reply.errorType)) metrics.authenticationFailures.inc({ type: reply.errorType });
    // Health checks, scrapes and polling would drown the changes: their answers go at debug.
    const level = request.routeOptions.config?.polled && reply.statusCode < 400 ? 'debug' : 'info';
    if (log.isLevelEnabled(level)) {
      request.log[level](
        {
          method: request.method,
          path: splitTarget(request.raw.url ?? '/').path,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          keyId: request.auth?.key.id,
          errorType: reply.errorType ?? undefined,
        },
        'request',
      );
    }
    done();
  });

  // 6. routes
  await registerOpenApi(app);
  const deps: RouteDeps = {
    store: options.store,
    commands: options.commands,
    clock: options.clock,
    cnameSuffix: options.cnameSuffix,
    baseUrl: publicBaseUrl(app, options),
    watch: new OperationWatch(options.store),
  };
  app.decorate('operationWatch', deps.watch);
  // Long-polls answer and event streams end when the server closes, not when their time is up.
  app.addHook('preClose', (done) => {
    deps.watch.close();
    done();
  });
  const { onClose } = options;
  if (onClose) app.addHook('onClose', async () => onClose());
  openApiRoute(app);
  statusRoutes(app, options.metrics, options.health);
  endpointRoutes(app, deps);
  policyRoutes(app, deps);
  contentRoutes(app, deps);
  operationRoutes(app, deps);
  trafficRoutes(app, deps);
  certificateRoutes(app, deps);
  fleetRoutes(app, options.store, options.operatorToken);
  consoleRoutes(app);
  webhookRoutes(app, deps);

  await app.ready();
  return app;
}

/**
 * The base of Operation-Location: --public-url, else the URL the API listens on once it does
 * (scheme, configured host, bound port; before, as with inject(), no port). Never the request's
 * Host header, which the client chooses.
 */
function publicBaseUrl(app: App, { publicUrl, host, tls }: ApiOptions): () => string {
  if (publicUrl !== undefined) return () => publicUrl;
  let known: string | undefined;
  return () => {
    if (known) return known;
    const address = app.server.address();
    if (typeof address === 'object' && address) return (known = listeningUrl(host, address.port, tls !== undefined));
    return listeningUrl(host, undefined, tls !== undefined);
  };
}
