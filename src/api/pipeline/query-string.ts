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
