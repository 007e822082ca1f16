/**
 * How long a response may be served from the cache: RFC 9111 plus the endpoint's cache rules.
 *
 * Precedence (DESIGN.md, "The edge"):
 *   1. The origin forbids storing (no-store, private, no-cache) or sets a cookie: not cached,
 *      unless IgnoreCacheControl (for the directives) or IgnoreCookie (for the cookie).
 *   2. IgnoreCacheControl and a matching rule: the rule's TTL.
 *   3. The origin's explicit freshness: s-maxage, then max-age (§5.2.2.10, §5.2.2.1), then
 *      Expires minus Date (§5.3).
 *   4. A matching rule: its TTL.
 *   5. Heuristic freshness (§4.2.2): 10% of the time since Last-Modified, at most one day.
 *   6. Otherwise not cached. A TTL of 0 means not cached.
 * The lifetimes the origin gives (3 and 5) are less the age the response already has when it
 * arrives (its Age header, §4.2.3), so a response from a cache in front of the origin is not
 * kept longer than that cache allows; a rule's TTL is the edge's own and counts from arrival.
 */
import type { CachePolicyRules } from '../../domain/cache-policy.js';
import { matchCacheRule } from './cache-rules.js';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The statuses cached at all: RFC 9110 §15.1's heuristically cacheable ones, less 206 (the edge
 * fetches and keeps whole bodies). Others are never stored, even with max-age (which RFC 9111
 * §3 would allow) or under a rule, so a redirect or an error is not kept for a rule's TTL.
 */
const STORABLE_STATUSES = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);
const HEURISTIC_MAX_SECONDS = 86_400;

export interface CacheDirectives {
  readonly noStore: boolean;
  readonly noCache: boolean;
  readonly private: boolean;
  readonly maxAge: number | undefined;
  readonly sMaxAge: number | undefined;
}

/** §5.2: the Cache-Control directives this cache acts on. */
export function parseCacheControl(value: string | string[] | undefined): CacheDirectives {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  const directives = new Map<string, string | undefined>();
  for (const part of text.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (name) directives.set(name.toLowerCase(), rest.length ? rest.join('=').replace(/^"|"$/g, '') : undefined);
  }
  const seconds = (name: string) => {
    const raw = directives.get(name);
    return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  };
  return {
    noStore: directives.has('no-store'),
    noCache: directives.has('no-cache'),
    private: directives.has('private'),
    maxAge: seconds('max-age'),
    sMaxAge: seconds('s-maxage'),
  };
}

export interface FreshnessDecision {
  /** Seconds the response may be served; 0 = do not store. */
  readonly ttlSeconds: number;
  /** Why, for logs and preload failures. */
  readonly reason: string;
}

export function freshnessFor(
  status: number,
  headers: Headers,
  path: string,
  policy: CachePolicyRules,
  now: number,
): FreshnessDecision {
  if (!STORABLE_STATUSES.has(status)) return { ttlSeconds: 0, reason: `status ${status} is not cacheable` };
  const varies = varyingFields(headers['vary']);
  if (varies.length > 0) {
    return { ttlSeconds: 0, reason: `the response varies on ${varies.join(', ')} (Vary), which this cache does not key on` };
  }
  if (headers['set-cookie'] !== undefined && !policy.ignoreCookie) {
    return { ttlSeconds: 0, reason: 'the response sets a cookie (IgnoreCookie is off)' };
  }
  const rule = matchCacheRule(policy.rules, path);
  const cc = parseCacheControl(headers['cache-control']);
  if (cc.noStore || cc.private || cc.noCache) {
    if (policy.ignoreCacheControl && rule) return { ttlSeconds: rule.ttlSeconds, reason: 'cache rule (origin Cache-Control ignored)' };
    return { ttlSeconds: 0, reason: 'the origin forbids caching (Cache-Control no-store, no-cache or private)' };
  }
  if (policy.ignoreCacheControl && rule) return { ttlSeconds: rule.ttlSeconds, reason: 'cache rule (origin Cache-Control ignored)' };

  const age = ageSeconds(headers['age']);
  const explicit = cc.sMaxAge ?? cc.maxAge ?? expiresLifetime(headers, now);
  if (explicit !== undefined) return { ttlSeconds: Math.max(0, explicit - age), reason: 'origin Cache-Control or Expires' };
  if (rule) return { ttlSeconds: rule.ttlSeconds, reason: 'cache rule' };

  const lastModified = dateHeader(headers['last-modified']);
  if (lastModified !== undefined) {
    const since = ((dateHeader(headers['date']) ?? now) - lastModified) / 1000;
    if (since > 0) {
      const lifetime = Math.min(HEURISTIC_MAX_SECONDS, Math.floor(since / 10));
      return { ttlSeconds: Math.max(0, lifetime - age), reason: 'heuristic: 10% of the time since Last-Modified' };
    }
  }
  return { ttlSeconds: 0, reason: 'the origin gives no Cache-Control, Expires or Last-Modified and no cache rule matches' };
}

/** §5.1: the Age header in seconds; absent or invalid counts as 0. */
function ageSeconds(value: string | string[] | undefined): number {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
}

/**
 * The Vary fields that would make one cached copy wrong for some clients. Accept-Encoding is
 * not one: cache fills always ask the origin for the identity encoding, so the copy is the same
 * whatever the client accepts (origins such as nginx send `Vary: Accept-Encoding` on everything).
 */
function varyingFields(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '' && field.toLowerCase() !== 'accept-encoding');
}

/** §5.3: Expires minus Date (or now); an invalid Expires means already stale. */
function expiresLifetime(headers: Headers, now: number): number | undefined {
  const raw = headers['expires'];
  if (raw === undefined) return undefined;
  const expires = dateHeader(raw);
  if (expires === undefined) return 0;
  const date = dateHeader(headers['date']) ?? now;
  return Math.max(0, Math.floor((expires - date) / 1000));
}

export function dateHeader(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(Array.isArray(value) ? value[0]! : value);
  return Number.isNaN(time) ? undefined : time;
}
