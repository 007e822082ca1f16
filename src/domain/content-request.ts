/** Purge and preload requests: their URL lists checked as a whole (CONTRACT §6). */
import { Errors } from '../contract/errors.js';
import type { PreloadParameters, PurgeParameters } from '../contract/schemas/purge-preload.js';
import { tagProblem } from './cache-tag.js';
import { parseContentUrl, type ContentUrl } from './content-url.js';
import type { ItemKind } from './operation.js';
import { shorten } from './text.js';

/** A URL to purge or preload, or (kind 'tag', extension) a cache tag, kept as its url and path. */
export interface ContentItem extends ContentUrl {
  readonly kind: ItemKind;
}

/**
 * Every URL is checked before anything is stored, and the first bad one is the answer, so a
 * request with one malicious URL applies nothing.
 */
export function parsePurgeRequest(input: PurgeParameters, customDomain: string, maxUrls: number): ContentItem[] {
  const files = input.Files ?? [];
  const directories = input.Directories ?? [];
  const tags = input.Tags ?? [];
  const total = files.length + directories.length + tags.length;
  if (total === 0) throw Errors.parameterMissing('Give at least one URL in Files or Directories, or (extension) a cache tag in Tags.');
  if (total > maxUrls) {
    const what = tags.length > 0 ? 'URLs and tags' : 'URLs';
    throw Errors.parameterInvalid(`The request lists ${total} ${what}; at most ${maxUrls} are allowed in one purge. Split it into several requests.`);
  }
  return [
    ...files.map((url, i) => ({ ...parseContentUrl(url, 'file', customDomain, `Files[${i}]`), kind: 'file' as const })),
    ...directories.map((url, i) => ({
      ...parseContentUrl(url, 'directory', customDomain, `Directories[${i}]`),
      kind: 'directory' as const,
    })),
    ...tags.map((tag, i) => parseTag(tag, `Tags[${i}]`)),
  ];
}

function parseTag(tag: unknown, field: string): ContentItem {
  if (typeof tag !== 'string') throw Errors.parameterInvalid(`${field} must be a string: a cache tag.`);
  const problem = tagProblem(tag);
  if (problem) throw Errors.parameterInvalid(`${field} "${shorten(tag)}" ${problem}.`);
  return { kind: 'tag', url: tag, path: tag, query: '' };
}

export function parsePreloadRequest(input: PreloadParameters, customDomain: string, maxUrls: number): ContentItem[] {
  if (input.Files.length === 0) throw Errors.parameterMissing('Give at least one URL in Files.');
  if (input.Files.length > maxUrls) {
    throw Errors.parameterInvalid(`The request lists ${input.Files.length} URLs; at most ${maxUrls} are allowed in one preload. Split it into several requests.`);
  }
  return input.Files.map((url, i) => ({ ...parseContentUrl(url, 'file', customDomain, `Files[${i}]`), kind: 'file' as const }));
}
