/**
 * The cache tags of a response (extension, domain/cache-tag.ts): the values of the configured
 * tag headers (Cache-Tag unless configured otherwise), split on spaces for Surrogate-Key
 * (Fastly's convention) and on commas for any other (Cloudflare's Cache-Tag). The edge indexes
 * them for tag purges and never sends these headers on to clients (as Cloudflare and Fastly).
 */
import { MAX_TAGS_PER_OBJECT, tagProblem } from '../../domain/cache-tag.js';
import type { HeaderMap } from '../cache/cache-store.js';

/** The tag header read when none is configured. */
export const DEFAULT_TAG_HEADERS: readonly string[] = ['cache-tag'];

/** The header whose values are separated by spaces; every other is comma separated. */
const SPACE_SEPARATED = 'surrogate-key';

/** The tags in `headers` (lower-case names) under the tag headers `names` (lower case), each once; undefined when none. */
export function tagsOf(headers: HeaderMap, names: readonly string[]): string[] | undefined {
  let tags: Set<string> | undefined;
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    const separator = name === SPACE_SEPARATED ? /\s+/ : ',';
    for (const line of Array.isArray(value) ? value : [value]) {
      for (const part of line.split(separator)) {
        const tag = part.trim();
        // A tag no purge could name is no use kept.
        if (tagProblem(tag) !== undefined) continue;
        tags ??= new Set();
        if (tags.size >= MAX_TAGS_PER_OBJECT) return [...tags];
        tags.add(tag);
      }
    }
  }
  return tags && [...tags];
}
