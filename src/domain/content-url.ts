/**
 * Purge and preload URLs (CONTRACT §6): absolute http(s) URLs on the endpoint's CustomDomain;
 * directories end in "/" (one sent without it gets it). A URL that tries to escape or smuggle is MaliciousItemPathDetected;
 * anything else wrong is ParameterInvalid. Checks run on the text as sent, before any parser
 * could normalise the trick away.
 */
import { Errors, type ApiError } from '../contract/errors.js';
import { LONE_SURROGATE, shorten } from './text.js';
import { decodeRepeatedly, normalizePath } from './url-path.js';

export type ContentKind = 'file' | 'directory';

export interface ContentUrl {
  /** The URL as the client sent it; item results echo it. */
  readonly url: string;
  /** The path in normal form (see url-path.ts), starting with "/". */
  readonly path: string;
  /** The raw query without "?", or '' (preloads fetch it; purges drop every variant). */
  readonly query: string;
}

export const MAX_URL_LENGTH = 2048;

const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export function parseContentUrl(url: unknown, kind: ContentKind, customDomain: string, field: string): ContentUrl {
  if (typeof url !== 'string') throw Errors.parameterInvalid(`${field} must be a string URL.`);
  const label = `${field} "${shorten(url)}"`;
  const malicious = (why: string): ApiError => Errors.maliciousItemPath(`${label} ${why}; nothing of this request was applied.`);
  const invalid = (why: string): ApiError => Errors.parameterInvalid(`${label} ${why}.`);

  if (url.length > MAX_URL_LENGTH) throw invalid(`is longer than ${MAX_URL_LENGTH} characters`);
  if (!url.isWellFormed()) throw invalid(LONE_SURROGATE);
  const decoded = decodeRepeatedly(url);
  if (CONTROL.test(url) || CONTROL.test(decoded)) throw malicious('contains a control character (NUL, CR, LF or another)');
  if (url.includes('\\') || decoded.includes('\\')) throw malicious('contains a backslash');

  const scheme = SCHEME.exec(url);
  if (!scheme) throw invalid(`is not an absolute URL; write it as http://${customDomain}/path`);
  const schemeName = scheme[1]!.toLowerCase();
  if (schemeName !== 'http' && schemeName !== 'https') throw malicious(`uses the scheme "${schemeName}"; only http and https are allowed`);
  if (!url.slice(scheme[0].length).startsWith('//')) throw invalid(`is not an absolute URL; write it as ${schemeName}://${customDomain}/path`);

  const afterScheme = url.slice(scheme[0].length + 2);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd < 0 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const rest = authorityEnd < 0 ? '' : afterScheme.slice(authorityEnd);

  if (authority.includes('@') || decodeRepeatedly(authority).includes('@')) throw malicious('contains user information before the host');
  const host = hostOf(authority);
  if (host === undefined) throw invalid('has an invalid host or port');
  if (host !== customDomain) throw malicious(`names the host "${host}", which is not this endpoint's domain "${customDomain}"`);

  if (rest.includes('#')) throw invalid('contains a fragment (#); leave it out');
  if (rest.includes(' ')) throw invalid('contains a space; percent-encode it as %20');
  const queryStart = rest.indexOf('?');
  const sentPath = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const query = queryStart < 0 ? '' : rest.slice(queryStart + 1);
  // A URL in Directories names a directory whether or not it ends in "/" (CONTRACT §7).
  const rawPath = kind === 'directory' && !sentPath.endsWith('/') ? `${sentPath}/` : sentPath;
  if (!rawPath.startsWith('/')) throw invalid('has no path; write at least "/" after the host');

  // Split on the slashes as sent: a slash inside a decoded segment was encoded (%2F, %252F).
  const segments = rawPath.split('/').map((segment) => decodeRepeatedly(segment));
  if (segments.some((segment) => segment.includes('/'))) throw malicious('contains an encoded slash (%2F)');
  if (segments.includes('..')) throw malicious('contains a ".." segment');
  // Tomcat and Jetty drop ";..." path parameters before resolving dot segments: "/a/..;/b" is "/b".
  if (segments.some((segment) => /^\.\.?;/.test(segment))) throw malicious('contains a "..;" or ".;" segment, a dot segment with a path parameter');
  if (segments.includes('.')) throw invalid('contains a "." segment; write the path without it');

  if (kind === 'file' && rawPath.endsWith('/')) throw invalid('ends with "/", which names a directory; put it in Directories');
  if (kind === 'directory' && query !== '') throw invalid('is a directory and must not have a query');

  return { url, path: normalizePath(rawPath), query };
}

/** The lower-cased host of an authority (`host` or `host:port`), or undefined if malformed. */
function hostOf(authority: string): string | undefined {
  const match = /^([^:[\]]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$/.exec(authority);
  if (!match) return undefined;
  if (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535)) return undefined;
  return match[1]!.toLowerCase().replace(/\.$/, '');
}
