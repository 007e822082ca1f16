/** Conditional requests against a cached response (RFC 9110 §13.1.2, §13.1.3, §13.2.2). */
import type { Headers } from './freshness.js';
import { dateHeader } from './freshness.js';

/** Whether a cached response with these headers answers the request with 304 Not Modified. */
export function isNotModified(requestHeaders: Headers, responseHeaders: Headers): boolean {
  const ifNoneMatch = first(requestHeaders['if-none-match']);
  if (ifNoneMatch !== undefined) {
    // "*" matches any current representation, and a cached object is one.
    if (ifNoneMatch.trim() === '*') return true;
    const etag = first(responseHeaders['etag']);
    if (etag === undefined) return false;
    // Weak comparison (§8.8.3.2): W/ prefixes do not matter for If-None-Match.
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
  }
  // Most requests are not conditional: no date is parsed for them.
  if (requestHeaders['if-modified-since'] === undefined) return false;
  const since = dateHeader(requestHeaders['if-modified-since']);
  const lastModified = dateHeader(responseHeaders['last-modified']);
  return since !== undefined && lastModified !== undefined && lastModified <= since;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
