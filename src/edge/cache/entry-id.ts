/** How stores name one stored entry: the cache key, plus for a Vary variant its request values. */
import type { CachedObject } from './cache-store.js';

/** The key, plus for a Vary variant its values in field order (so that header order does not matter). */
export function entryId(object: Pick<CachedObject, 'key' | 'vary'>): string {
  if (!object.vary) return object.key;
  const fields = Object.keys(object.vary).sort();
  return `${object.key}\0${JSON.stringify(fields.map((field) => [field, object.vary![field]]))}`;
}
