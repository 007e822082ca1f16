/** Purge and preload requests: their URL lists checked as a whole (CONTRACT §6). */
import { Errors } from '../contract/errors.js';
import type { PreloadParameters, PurgeParameters } from '../contract/schemas/purge-preload.js';
import { parseContentUrl, type ContentKind, type ContentUrl } from './content-url.js';

export interface ContentItem extends ContentUrl {
  readonly kind: ContentKind;
}

/**
 * Every URL is checked before anything is stored, and the first bad one is the answer, so a
 * request with one malicious URL applies nothing.
 */
export function parsePurgeRequest(input: PurgeParameters, customDomain: string, maxUrls: number): ContentItem[] {
  const files = input.Files ?? [];
  const directories = input.Directories ?? [];
  const total = files.length + directories.length;
  if (total === 0) throw Errors.parameterMissing('Give at least one URL in Files or Directories.');
  if (total > maxUrls) {
    throw Errors.parameterInvalid(`The request lists ${total} URLs; at most ${maxUrls} are allowed in one purge. Split it into several requests.`);
  }
  return [
    ...files.map((url, i) => ({ ...parseContentUrl(url, 'file', customDomain, `Files[${i}]`), kind: 'file' as const })),
    ...directories.map((url, i) => ({
      ...parseContentUrl(url, 'directory', customDomain, `Directories[${i}]`),
      kind: 'directory' as const,
    })),
  ];
}

export function parsePreloadRequest(input: PreloadParameters, customDomain: string, maxUrls: number): ContentItem[] {
  if (input.Files.length === 0) throw Errors.parameterMissing('Give at least one URL in Files.');
  if (input.Files.length > maxUrls) {
    throw Errors.parameterInvalid(`The request lists ${input.Files.length} URLs; at most ${maxUrls} are allowed in one preload. Split it into several requests.`);
  }
  return input.Files.map((url, i) => ({ ...parseContentUrl(url, 'file', customDomain, `Files[${i}]`), kind: 'file' as const }));
}
