/**
 * RFC 9111 §4.4: an unsafe request that the origin answers with a non-error status has likely
 * changed the resource, so the cache drops what it holds for the target URI, and for the URIs
 * in Location and Content-Location when they are on the same host (another host's objects are
 * not this request's to drop: that would let anyone purge them).
 */
import type { Headers } from './freshness.js';

/** RFC 9110 §9.2.1. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export interface InvalidatedTarget {
  /** The path as the origin sees it (dot segments resolved), not yet normalised for the key. */
  readonly path: string;
  readonly query: string;
}

/**
 * The targets a response to `method target` invalidates, on the edge serving `host` (lower
 * case, no port); none for safe methods and for 1xx, 4xx and 5xx answers.
 */
export function invalidatedTargets(method: string, status: number, host: string, target: string, headers: Headers): InvalidatedTarget[] {
  if (SAFE_METHODS.has(method.toUpperCase()) || status < 200 || status > 399) return [];
  const base = `http://${host}${target}`;
  const targets: InvalidatedTarget[] = [];
  for (const reference of [target, first(headers['location']), first(headers['content-location'])]) {
    if (reference === undefined || reference === '') continue;
    let url: URL;
    try {
      url = new URL(reference, base);
    } catch {
      continue;
    }
    if (url.hostname.toLowerCase() !== host || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
    const found = { path: url.pathname, query: url.search.slice(1) };
    if (!targets.some((t) => t.path === found.path && t.query === found.query)) targets.push(found);
  }
  return targets;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
