/**
 * Cache tags (extension): names an origin gives its responses in a tag header (Cache-Tag,
 * comma separated, or Surrogate-Key, space separated: edge/policy/cache-tags.ts), which a tag
 * purge names to evict every object that carried them. The limits are shared by the API, which
 * refuses a purge naming a tag no response could carry, and the edge, which ignores such tags.
 */

/** The longest tag, in characters (Fastly's surrogate keys are at most 1,024 bytes). */
export const MAX_TAG_LENGTH = 1024;

/** Tags an edge keeps per object; more are ignored, so one response cannot fill its memory. */
export const MAX_TAGS_PER_OBJECT = 128;

/** Separators of the tag headers, and what no header value could carry. */
const NOT_IN_TAG = /[\s,\u0000-\u001f\u007f]/u;

/** Why `tag` cannot be a cache tag, as the end of a sentence naming it; undefined when it can. */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'is empty';
  if (tag.length > MAX_TAG_LENGTH) return `is longer than ${MAX_TAG_LENGTH} characters`;
  if (!tag.isWellFormed()) return 'contains a lone surrogate (invalid Unicode)';
  if (NOT_IN_TAG.test(tag)) return 'contains a comma, whitespace or a control character, which separate tags in the headers that carry them; give each tag on its own';
  return undefined;
}
