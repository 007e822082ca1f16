/**
 * Stale responses: how long one is kept, when it may be served stale (RFC 9111 §4.2.4, RFC 5861)
 * and how it is revalidated (RFC 9111 §4.3). Pure functions over stored headers and times.
 *
 * A stale object is kept past its freshness (Varnish's grace and keep) so that it can be
 * revalidated with a conditional request, served while that runs (stale-while-revalidate) or
 * served when the origin fails (stale-if-error, or an unreachable origin).
 */
import type { HeaderMap } from '../cache/cache-store.js';
import { responseDirectives } from './cache-directives.js';
import type { Headers } from './freshness.js';

/** How long past staleness an object is kept at least, for revalidation and outages. */
export const STALE_KEEP_SECONDS = 3_600;
/** The most a stale-while-revalidate or stale-if-error window keeps it: the budget is shared. */
const MAX_KEEP_SECONDS = 86_400;

export interface StaleRules {
  /**
   * must-revalidate, proxy-revalidate, s-maxage (§5.2.2.2, §5.2.2.8, §5.2.2.10) or no-cache
   * (§5.2.2.4): never served stale, whatever else the response says.
   */
  readonly neverStale: boolean;
  /** RFC 5861 §3: seconds past staleness it may be served while revalidated. */
  readonly whileRevalidateSeconds: number;
  /** RFC 5861 §4: seconds past staleness it may be served when the origin fails; undefined when not given. */
  readonly ifErrorSeconds: number | undefined;
}

/** What a stored response's directives say about serving it stale. */
export function staleRules(headers: Headers): StaleRules {
  const { directives } = responseDirectives(headers);
  return {
    neverStale: directives.mustRevalidate || directives.sMaxAge !== undefined || directives.noCache,
    whileRevalidateSeconds: directives.staleWhileRevalidate ?? 0,
    ifErrorSeconds: directives.staleIfError,
  };
}

/** When the store may drop an object that goes stale at `staleAt` (epoch ms). */
export function keepUntil(staleAt: number, rules: StaleRules): number {
  const window = Math.min(MAX_KEEP_SECONDS, Math.max(rules.whileRevalidateSeconds, rules.ifErrorSeconds ?? 0));
  return staleAt + Math.max(STALE_KEEP_SECONDS, window) * 1000;
}

/** RFC 5861 §3: serve the stale copy at once and revalidate in the background. */
export function servesWhileRevalidating(rules: StaleRules, staleAt: number, now: number): boolean {
  return !rules.neverStale && now < staleAt + rules.whileRevalidateSeconds * 1000;
}

/**
 * The revalidation failed. A 5xx answer lets the stale copy stand in only within
 * stale-if-error (RFC 5861 §4); an origin that could not be reached at all leaves the cache
 * disconnected, when RFC 9111 §4.2.4 allows a stale copy too, within stale-if-error if given.
 */
export function servesOnError(rules: StaleRules, staleAt: number, now: number, disconnected: boolean): boolean {
  if (rules.neverStale) return false;
  if (rules.ifErrorSeconds !== undefined) return now < staleAt + rules.ifErrorSeconds * 1000;
  return disconnected;
}

/**
 * RFC 9111 §4.3.1: the validators of a stored response as the preconditions of the request that
 * revalidates it (an entity tag is the stronger; Last-Modified is sent as well, as most caches do).
 */
export function conditionalHeaders(stored: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  const etag = first(stored['etag']);
  const lastModified = first(stored['last-modified']);
  if (etag !== undefined) result['if-none-match'] = etag;
  if (lastModified !== undefined) result['if-modified-since'] = lastModified;
  return result;
}

/** Fields a 304 never replaces: the stored body's framing (§3.2), and Age, which is recomputed. */
const KEPT_FROM_STORED = new Set(['content-length', 'content-encoding', 'content-range', 'transfer-encoding']);

/**
 * RFC 9111 §4.3.4 (and §3.2): the stored headers updated by a 304. Every field the 304 carries
 * replaces all stored lines of that name, except the framing ones; the stored Age goes, since
 * the age restarts from the 304's own.
 */
export function headersAfterNotModified(stored: HeaderMap, notModified: HeaderMap): HeaderMap {
  const result: HeaderMap = {};
  for (const [name, value] of Object.entries(stored)) if (name !== 'age') result[name] = value;
  for (const [name, value] of Object.entries(notModified)) if (!KEPT_FROM_STORED.has(name)) result[name] = value;
  return result;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
