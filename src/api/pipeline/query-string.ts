/**
 * Query strings: parsed with the first value of each name (as the signature does), names
 * looked up case-insensitively. A name given twice is refused after authentication, so no
 * signature variant can make the server act on a value the signature did not cover.
 */
import { decodeQueryComponent, splitQuery } from '../../signing/canonical-string.js';

export function parseQueryString(query: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of splitQuery(query)) {
    const name = decodeQueryComponent(pair.name);
    if (!(name in result)) result[name] = decodeQueryComponent(pair.value);
  }
  return result;
}

/** The first name that occurs more than once (ignoring case), or undefined. */
export function repeatedQueryName(query: string): string | undefined {
  const seen = new Set<string>();
  for (const pair of splitQuery(query)) {
    const name = decodeQueryComponent(pair.name).toLowerCase();
    if (seen.has(name)) return decodeQueryComponent(pair.name);
    seen.add(name);
  }
  return undefined;
}

/** The value of `name` (any case) in a parsed query, or undefined. */
export function queryValue(query: Record<string, string>, name: string): string | undefined {
  if (name in query) return query[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(query)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Splits a request target (origin-form or absolute-form) into its path and raw query. */
export function splitTarget(target: string): { path: string; query: string } {
  let rest = target;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (absolute) {
    // An empty path is "/" (RFC 9110 §4.2.3), also when a query follows: "http://h?q".
    rest = rest.slice(absolute[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}
