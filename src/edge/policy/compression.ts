/**
 * Compression at the edge: which content coding a cached response is sent in (RFC 9110
 * §12.5.3), whether a stored response may be compressed at all, and the headers of each
 * representation (§8.4, §8.8.3, §12.5.5).
 *
 * Fills always ask the origin for identity (http-headers.ts), so the stored object is the
 * identity representation; gzip and br are copies made from it at the edge
 * (compressed-copies.ts).
 */
import Negotiator from 'negotiator';
import type { HeaderMap } from '../cache/cache-store.js';
import { parseDirectiveList } from './cache-directives.js';

export type Encoding = 'br' | 'gzip';
export type Coding = Encoding | 'identity';

/** Ours, best first: br at equal q (smaller at a like cost), then gzip, then identity. */
const OFFERED: readonly Coding[] = ['br', 'gzip', 'identity'];

/** Smaller bodies gain little against the bytes a header and a compressed frame add. */
export const MIN_COMPRESSIBLE_BYTES = 1024;

/** @types/negotiator lacks the options argument of negotiator 1.x. */
type EncodingNegotiator = { encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined };

/**
 * The coding to send for this Accept-Encoding (RFC 9110 §12.5.3): highest q first, br then gzip
 * then identity at equal q; `*` stands for any coding not named; identity is acceptable unless
 * refused (`identity;q=0` or `*;q=0`). No header, or nothing acceptable: identity (§12.5.3
 * lets a server send identity then rather than a 415).
 */
export function chooseCoding(acceptEncoding: string | string[] | undefined): Coding {
  if (acceptEncoding === undefined) return 'identity';
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(', ') : acceptEncoding;
  // Browsers send a handful of distinct values: remembered, a hit skips the parse (~0.5 µs).
  if (header.length > 256) return negotiate(header);
  let coding = chosenFor.get(header);
  if (coding === undefined) {
    if (chosenFor.size >= REMEMBERED_HEADERS) chosenFor.clear();
    chosenFor.set(header, (coding = negotiate(header)));
  }
  return coding;
}

/** Distinct Accept-Encoding values (of 256 characters at most) remembered; past it the memory starts again, so made-up values cannot grow it. */
const REMEMBERED_HEADERS = 256;
const chosenFor = new Map<string, Coding>();

function negotiate(header: string): Coding {
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } }) as unknown as EncodingNegotiator;
  const chosen = negotiator.encoding(OFFERED, { preferred: OFFERED });
  return chosen === 'br' || chosen === 'gzip' ? chosen : 'identity';
}

/** Media types worth compressing: text in all its forms; images, video, fonts in woff and archives are compressed already. */
const COMPRESSIBLE_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/xml',
  'application/wasm',
  'image/svg+xml',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'font/ttf',
  'font/otf',
  'application/vnd.ms-fontobject',
]);

export function isCompressibleType(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  if (!value) return false;
  const type = value.split(';', 1)[0]!.trim().toLowerCase();
  return type.startsWith('text/') || COMPRESSIBLE_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}

/**
 * Whether a stored response may be sent compressed: a whole 200 of a compressible type, at least
 * MIN_COMPRESSIBLE_BYTES, not already encoded, and not marked `no-transform` (RFC 9111
 * §5.2.2.6: an intermediary must not change its content coding).
 */
export function mayCompress(status: number, headers: HeaderMap, bodyBytes: number): boolean {
  if (status !== 200 || bodyBytes < MIN_COMPRESSIBLE_BYTES) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') return false;
  if (!isCompressibleType(headers['content-type'])) return false;
  return !parseDirectiveList(headers['cache-control']).directives.has('no-transform');
}

/** Whether the request forbids transforming the answer (RFC 9111 §5.2.1.6). */
export function requestForbidsTransform(cacheControl: string | string[] | undefined): boolean {
  return cacheControl !== undefined && parseDirectiveList(cacheControl).directives.has('no-transform');
}

/**
 * The identity representation of a compressible response: as stored, plus Vary: Accept-Encoding,
 * since which representation a request gets depends on that field (RFC 9110 §12.5.5) and a cache
 * downstream must not give this one to a client that asked for gzip, or the reverse.
 */
export function identityHeaders(headers: HeaderMap): HeaderMap {
  const result: HeaderMap = { ...headers };
  result['vary'] = withAcceptEncoding(headers['vary']);
  return result;
}

/**
 * The headers of the `encoding` representation made from the stored identity one: Content-Encoding,
 * Vary: Accept-Encoding, the compressed length, and an ETag of its own.
 *
 * ETag (RFC 9110 §8.8.3): a strong validator must differ between representations whose bytes
 * differ, or a Range or If-Range could mix the bytes of two codings; the coding is appended
 * inside the quotes ("abc" becomes "abc-gzip", W/"abc" becomes W/"abc-gzip", as Apache does), so
 * each representation revalidates against its own tag and strong ones stay strong. A malformed
 * ETag is dropped rather than guessed at. Accept-Ranges: none, since a Range is answered from the
 * identity representation (compressed-copies.ts).
 */
export function encodedHeaders(headers: HeaderMap, encoding: Encoding, bodyBytes: number): HeaderMap {
  const result = identityHeaders(headers);
  result['content-encoding'] = encoding;
  result['content-length'] = String(bodyBytes);
  result['accept-ranges'] = 'none';
  // Content-MD5 (obsolete, still sent by some) is a digest of the identity bytes.
  delete result['content-md5'];
  const etag = encodedEtag(headers['etag'], encoding);
  if (etag === undefined) delete result['etag'];
  else result['etag'] = etag;
  return result;
}

export function encodedEtag(etag: string | string[] | undefined, encoding: Encoding): string | undefined {
  const value = Array.isArray(etag) ? etag[0] : etag;
  if (value === undefined) return undefined;
  const match = /^(W\/)?"([^"]*)"$/.exec(value.trim());
  return match ? `${match[1] ?? ''}"${match[2]}-${encoding}"` : undefined;
}

/** A Vary value naming Accept-Encoding once; `*` already covers every field. */
export function withAcceptEncoding(vary: string | string[] | undefined): string {
  const value = Array.isArray(vary) ? vary.join(', ') : (vary ?? '');
  const fields = value
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.some((field) => field === '*' || field.toLowerCase() === 'accept-encoding')) return fields.join(', ');
  return [...fields, 'Accept-Encoding'].join(', ');
}
