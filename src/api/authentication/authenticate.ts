/**
 * The authentication stage, run at onRequest of every signed route, before the body is read:
 * signature (CONTRACT §2 rows 1-8), subscription, credential, scope and rate (rows 9-12), then
 * replays (with --replay-cache), then the query's apiVersion and repeated names.
 */
import { splitTarget } from '../../domain/url-path.js';
import type { FastifyRequest } from 'fastify';
import { Errors } from '../../contract/errors.js';
import type { Clock } from '../../domain/clock.js';
import type { RateLimiter } from '../../domain/rate-limiter.js';
import { REQUEST_DATE_HEADER } from '../../signing/sign-request.js';
import type { Store } from '../../store/store.js';
import { parseQueryString, queryValue, repeatedQueryName } from '../pipeline/query-string.js';
import { checkAccess } from './authorization.js';
import { CredentialCache } from './credential-cache.js';
import { ReplayCache } from './replay-cache.js';
import { checkSignature, type SignatureSettings } from './signature.js';

export const API_VERSION = '1.0';

export interface AuthenticationDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly signature: SignatureSettings;
}

/** The methods that change something, whose signatures the replay cache keeps. */
const MUTATING = new Set(['POST', 'PUT', 'DELETE']);

export function createAuthenticationHook(deps: AuthenticationDeps) {
  const credentials = new CredentialCache(deps.store);
  const replays = deps.signature.replayCache ? new ReplayCache() : undefined;
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined) return;
    const target = request.raw.url ?? '/';
    const now = deps.clock.now();

    const { key, signature, validUntil } = await checkSignature(
      {
        method: request.method,
        target,
        authorization: header(request, 'authorization'),
        requestDate: header(request, REQUEST_DATE_HEADER),
      },
      (keyId) => credentials.key(keyId),
      now,
      deps.signature,
    );
    const subscriptionId = String((request.params as Record<string, string>).subscriptionId ?? '').toLowerCase();
    await checkAccess(
      key,
      subscriptionId,
      permission,
      (id) => credentials.subscriptionExists(id),
      deps.rateLimiter,
      now,
    );
    // After the access checks, so a throttled or forbidden request does not use up its signature.
    if (replays && MUTATING.has(request.method) && !replays.firstUse(signature, validUntil, now)) throw Errors.signatureReused();
    request.auth = { key, subscriptionId };

    const { query } = splitTarget(target);
    const repeated = repeatedQueryName(query);
    if (repeated !== undefined) throw Errors.parameterInvalid(`Query parameter ${repeated} is given more than once; give it once.`);
    const apiVersion = queryValue(parseQueryString(query), 'apiVersion');
    if (apiVersion === undefined) throw Errors.parameterMissing(`Query parameter apiVersion is required; add ?apiVersion=${API_VERSION}.`);
    if (apiVersion !== API_VERSION) throw Errors.parameterInvalid(`apiVersion "${apiVersion}" is not supported; the only version is ${API_VERSION}.`);
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
