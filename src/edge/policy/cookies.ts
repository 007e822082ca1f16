/**
 * The cookie rule: cache fills forward the client's Cookie as sent (the first visitor of a
 * dynamic page gets its own answer, not the anonymous one), and the request's Cookie is not
 * part of the cache key. What may then be stored, as the big CDNs do it (Fastly, Cloudflare,
 * CloudFront with cookies not forwarded in the key):
 *
 *   - a response without Set-Cookie: by its headers or a cache rule, as any other
 *     (freshness.ts); an origin that personalises a page by cookie says `private` or
 *     `no-store` (or `Vary: Cookie`), as RFC 9111 §3.5 asks of answers to credentials;
 *   - a response with Set-Cookie: not stored (freshness.ts), unless IgnoreCookie, which then
 *     stores it without the Set-Cookie (that goes to the requesting client only)...
 *   - ...except an answer that sets a cookie for a request that carried one, which is a
 *     session's answer: never stored nor shared, whatever IgnoreCookie says (this function).
 */
import type { CachePolicyRules } from '../../domain/cache-policy.js';
import { freshnessFor, type FreshnessContext, type FreshnessDecision, type Headers } from './freshness.js';

/** Why the cookie rule refuses to store the answer, or undefined when it does not object. */
export function cookieRule(request: Headers, response: Headers): string | undefined {
  if (request['cookie'] !== undefined && response['set-cookie'] !== undefined) {
    return 'the response sets a cookie for a request that sent one (a session: never shared)';
  }
  return undefined;
}

/** How long the answer to `request` may be stored and shared: the cookie rule, then freshness.ts. */
export function storageDecision(
  request: Headers,
  status: number,
  response: Headers,
  path: string,
  policy: CachePolicyRules,
  context: FreshnessContext,
): FreshnessDecision {
  const decision = freshnessFor(status, response, path, policy, context);
  const refused = cookieRule(request, response);
  return refused === undefined ? decision : { ...decision, ttlSeconds: 0, reason: refused, storedToRevalidate: false };
}
