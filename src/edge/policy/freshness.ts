/**
 * How long a response may be served from the cache: RFC 9111 plus the endpoint's cache rules.
 *
 * Precedence (README, "Serving content"):
 *   1. Status (RFC 9110 §15.1, RFC 9111 §3): of the heuristically cacheable statuses, positive
 *      ones (200, 203, 204, 300, 301, 308) take a rule's TTL; negative ones (404, 405, 410, 414)
 *      at most --edge-negative-ttl-seconds of it. Any other final status (501 and other 5xx,
 *      302, 307, 400, ...) is stored only for the origin's own explicit lifetime, never a rule's
 *      or a heuristic one. 1xx, 206 (fills fetch whole bodies) and 304 are never stored.
 *   2. `Vary: *` (matches no request, §4.1) or Set-Cookie (unless IgnoreCookie): not stored.
 *      Other Vary fields are stored as variants (vary.ts).
 *   3. IgnoreCacheControl and a matching rule: the rule's TTL, whatever the origin says.
 *   4. The directives of CDN-Cache-Control, else Surrogate-Control, else Cache-Control (RFC 9213
 *      §2.1): no-store or private means not stored; no-cache means stored stale, to be
 *      revalidated on every use (policy/revalidation.ts), when the response has a validator.
 *   5. The origin's explicit lifetime: s-maxage, then max-age (§5.2.2.10, §5.2.2.1), then
 *      Expires minus Date (§5.3; ignored when a targeted field decided).
 *   6. A matching rule: its TTL (as in 1).
 *   7. Heuristic freshness (§4.2.2): 10% of Date minus Last-Modified, at most one day.
 *   8. Otherwise not stored. A TTL of 0 means not stored; a rule with TTL 0 turns 7 off.
 * The lifetimes the origin gives (5 and 7) are less the response's initial age (§4.2.3), so a
 * response that has aged in caches in front of the origin is not kept longer than they allow;
 * a rule's TTL is the edge's own and counts from arrival.
 *
 * Why not http-cache-semantics (evaluated for issue 10): it is well kept and covers s-maxage,
 * shared caches, Age and revalidation headers, but it has no CDN-Cache-Control or
 * Surrogate-Control, reads Expires and Date with the lax Date.parse, leaves the response delay
 * out of the age, splits directives on every comma (quoted values included), and decides
 * storability in one piece that the endpoint's rules (per-status rule TTLs, IgnoreCacheControl,
 * IgnoreCookie) would have to override answer by answer. Layered under the rules, little of it
 * would be left in use, so the policy stays here as small pure functions; revisit when
 * revalidation is added (its revalidationHeaders/revalidatedPolicy are the part worth having).
 */
import type { CachePolicyRules } from '../../domain/cache-policy.js';
import { responseDirectives } from './cache-directives.js';
import { matchCacheRule } from './cache-rules.js';
import { dateHeader } from './http-date.js';
import { varyFields } from './vary.js';

export { dateHeader } from './http-date.js';
export { parseCacheControl, type CacheDirectives } from './cache-directives.js';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** RFC 9110 §15.1 heuristically cacheable statuses that are answers, which take a rule's TTL. */
const POSITIVE_STATUSES = new Set([200, 203, 204, 300, 301, 308]);
/** Heuristically cacheable errors: a rule's TTL is capped at the negative TTL. */
const NEGATIVE_STATUSES = new Set([404, 405, 410, 414]);
/** Final statuses never stored: a partial body (fills fetch whole ones), and 304, not a response in itself. */
const NEVER_STORED = new Set([206, 304]);

const HEURISTIC_MAX_SECONDS = 86_400;
export const DEFAULT_NEGATIVE_TTL_SECONDS = 10;

export interface FreshnessContext {
  /** When the edge sent the request to the origin (epoch ms). */
  readonly requestTime: number;
  /** When the response head arrived (epoch ms). */
  readonly responseTime: number;
  /** The most a rule or a heuristic may keep a negative answer (404, 410, ...). */
  readonly negativeTtlSeconds: number;
}

/** The context of one origin exchange: when it was asked and answered (RFC 9111 §4.2.3). */
export function exchangeContext(requestTime: number, responseTime: number, negativeTtlSeconds = DEFAULT_NEGATIVE_TTL_SECONDS): FreshnessContext {
  return { requestTime, responseTime, negativeTtlSeconds };
}

export interface FreshnessDecision {
  /** Seconds the response may be served from now; 0 = do not store. */
  readonly ttlSeconds: number;
  /** §4.2.3 corrected_initial_age, in seconds: the Age to send now, and to add resident time to. */
  readonly initialAgeSeconds: number;
  /** Why, for logs and preload failures. */
  readonly reason: string;
  /**
   * Stored although not fresh (ttlSeconds 0), to be revalidated on every use: a no-cache
   * response with a validator (RFC 9111 §5.2.2.4). Never shared with waiting requests.
   */
  readonly storedToRevalidate?: boolean;
}

/** 'explicit-only': any other final status, kept only for the origin's explicit lifetime (RFC 9111 §3). */
type StatusClass = 'positive' | 'negative' | 'explicit-only';

function statusClass(status: number): StatusClass | undefined {
  if (POSITIVE_STATUSES.has(status)) return 'positive';
  if (NEGATIVE_STATUSES.has(status)) return 'negative';
  if (status < 200 || status > 599 || NEVER_STORED.has(status)) return undefined;
  return 'explicit-only';
}

export function freshnessFor(status: number, headers: Headers, path: string, policy: CachePolicyRules, context: FreshnessContext): FreshnessDecision {
  const initialAgeSeconds = initialAge(headers, context.requestTime, context.responseTime);
  const decide = (ttlSeconds: number, reason: string): FreshnessDecision => ({ ttlSeconds, initialAgeSeconds, reason });

  const kind = statusClass(status);
  if (!kind) return decide(0, `status ${status} is not cacheable`);
  if (varyFields(headers['vary']).includes('*')) return decide(0, 'the response varies on everything (Vary: *)');
  if (headers['set-cookie'] !== undefined && !policy.ignoreCookie) return decide(0, 'the response sets a cookie (IgnoreCookie is off)');

  const rule = matchCacheRule(policy.rules, path);
  const ruleTtl = rule && ruleLifetime(kind, rule.ttlSeconds, context.negativeTtlSeconds);
  const ruleReason = kind === 'negative' ? `cache rule, at most the negative TTL for status ${status}` : 'cache rule';
  if (policy.ignoreCacheControl && ruleTtl !== undefined) return decide(ruleTtl, `${ruleReason} (origin Cache-Control ignored)`);

  const { directives, field } = responseDirectives(headers);
  if (directives.noStore || directives.private) {
    return decide(0, `the origin forbids caching (${field} no-store or private)`);
  }
  if (directives.noCache) {
    // §5.2.2.4: storable, but every use must be validated; without a validator that is a refetch.
    const validator = headers['etag'] !== undefined || headers['last-modified'] !== undefined;
    const reason = `the origin asks for revalidation on every use (${field} no-cache)`;
    return validator ? { ...decide(0, `${reason}: stored to revalidate`), storedToRevalidate: true } : decide(0, `${reason}, and gives no validator`);
  }
  const explicit = explicitLifetime(directives.sMaxAge, directives.maxAge, field === 'cache-control' ? headers : undefined, context.responseTime);
  if (explicit !== undefined) return decide(Math.max(0, explicit - initialAgeSeconds), `origin ${field} or Expires`);
  if (ruleTtl !== undefined) return decide(ruleTtl, ruleReason);
  if (rule) return decide(0, `status ${status} is kept only for the origin's explicit lifetime: cache rules do not apply to it`);

  const heuristic = kind === 'explicit-only' ? undefined : heuristicLifetime(headers, context.responseTime);
  if (heuristic !== undefined) {
    const lifetime = kind === 'negative' ? Math.min(heuristic, context.negativeTtlSeconds) : heuristic;
    return decide(Math.max(0, lifetime - initialAgeSeconds), 'heuristic: 10% of the time since Last-Modified');
  }
  return decide(0, 'the origin gives no Cache-Control, Expires or Last-Modified and no cache rule matches');
}

/** A rule's TTL for a status: whole for answers, capped for negative ones, none for the rest (5xx among them). */
function ruleLifetime(kind: StatusClass, ttlSeconds: number, negativeTtlSeconds: number): number | undefined {
  if (kind === 'positive') return ttlSeconds;
  if (kind === 'negative') return Math.min(ttlSeconds, negativeTtlSeconds);
  return undefined;
}

/**
 * RFC 9111 §4.2.1: s-maxage for a shared cache, then max-age, then Expires minus Date (§5.3).
 * `headers` is undefined when a targeted field (RFC 9213) decided: Expires is ignored then.
 */
export function explicitLifetime(sMaxAge: number | undefined, maxAge: number | undefined, headers: Headers | undefined, now: number): number | undefined {
  if (sMaxAge !== undefined) return sMaxAge;
  if (maxAge !== undefined) return maxAge;
  if (!headers || headers['expires'] === undefined) return undefined;
  // §5.3: an invalid date ("0", "-1", anything not an HTTP date) means already expired.
  const expires = dateHeader(headers['expires']);
  if (expires === undefined) return 0;
  const date = dateHeader(headers['date']) ?? now;
  return Math.max(0, Math.floor((expires - date) / 1000));
}

/** RFC 9111 §4.2.2: 10% of the time between Last-Modified and Date (or now), at most a day. */
export function heuristicLifetime(headers: Headers, now: number): number | undefined {
  const lastModified = dateHeader(headers['last-modified']);
  if (lastModified === undefined) return undefined;
  const since = ((dateHeader(headers['date']) ?? now) - lastModified) / 1000;
  return since > 0 ? Math.min(HEURISTIC_MAX_SECONDS, Math.floor(since / 10)) : undefined;
}

/**
 * RFC 9111 §4.2.3 corrected_initial_age, in whole seconds:
 *   apparent_age = max(0, response_time - date_value)
 *   corrected_age_value = age_value + (response_time - request_time)
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 * No valid Date means no apparent age; no valid Age means an age_value of 0 (§5.1).
 */
export function initialAge(headers: Headers, requestTime: number, responseTime: number): number {
  const date = dateHeader(headers['date']);
  const apparentMs = date === undefined ? 0 : Math.max(0, responseTime - date);
  const correctedMs = ageValue(headers['age']) * 1000 + Math.max(0, responseTime - requestTime);
  return Math.floor(Math.max(apparentMs, correctedMs) / 1000);
}

/**
 * §5.1: the Age header in seconds; absent or invalid counts as 0. Of several values ("7200, 0"
 * on one line, or several lines) the first counts, as the cache test suite expects of caches.
 */
function ageValue(value: string | string[] | undefined): number {
  const raw = (Array.isArray(value) ? value[0] : value)?.split(',')[0]!.trim();
  return raw !== undefined && /^\d+$/.test(raw) ? Math.min(2_147_483_648, Number(raw)) : 0;
}
