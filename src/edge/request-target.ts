/**
 * What an edge request names, in the one form the cache key, the origin request, cache rules,
 * referer control and purges share (domain/url-path.ts): pure, so the edge's routing reads top
 * to bottom and these rules are tested without a server.
 */
import { normalizePath, splitTarget } from '../domain/url-path.js';

/** As nginx's default buffers allow: longer targets are attacks or mistakes, never content. */
export const MAX_TARGET_LENGTH = 8192;

export type RequestTarget =
  | {
      /** Normal form: dot segments resolved, "//" merged, escapes normalised. */
      readonly path: string;
      readonly query: string;
      /** What the origin is asked for: the normal path and the query. */
      readonly target: string;
    }
  | { readonly refused: 400 | 414; readonly message: string };

export function requestTarget(url: string): RequestTarget {
  if (url.length > MAX_TARGET_LENGTH) return { refused: 414, message: `The request target is longer than ${MAX_TARGET_LENGTH} bytes.` };
  const requested = splitTarget(url);
  const resolved = requested.path.startsWith('/') ? asOriginSees(requested.path, requested.query) : undefined;
  if (!resolved) return { refused: 400, message: 'The request target must be a path.' };
  const path = normalizePath(resolved.path);
  // The origin gets the path in the form the cache key and purges use, so that what is stored
  // under a key is what the origin serves for that key ("//a.png" is fetched as "/a.png").
  return { path, query: resolved.query, target: resolved.query ? `${path}?${resolved.query}` : path };
}

/** The Host header as endpoints are looked up: lower case, without port, brackets or final dot. */
export function requestHost(host: string | undefined): string {
  return String(host ?? '')
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * The path and query as the origin will get them. The origin client parses its URL the WHATWG
 * way, which resolves "." and ".." segments (%2e included) and reads "\" as "/"; the cache key
 * and referer control must see that same path, or "/x/../img/a.png" would be checked as
 * something other than the "/img/a.png" the origin serves.
 */
function asOriginSees(path: string, query: string): { path: string; query: string } | undefined {
  // Only dot segments ("/." in any encoding) and backslashes change under WHATWG parsing.
  if (!/\/(\.|%2e)|\\/i.test(path)) return { path, query };
  try {
    const url = new URL(`http://edge.invalid${path}${query ? `?${query}` : ''}`);
    return { path: url.pathname, query: url.search.slice(1) };
  } catch {
    return undefined;
  }
}

/**
 * The path as a file system behind the origin would read it, for referer control: many origins
 * decode "%2F", so "/img%2Fa.png" is the "/img/a.png" a "/img/*" pattern protects (the path is
 * normal already: "//" merged, escapes upper-cased).
 */
export function pathAsFiled(path: string): string {
  return path.includes('%2F') ? path.replace(/%2F/g, '/').replace(/\/{2,}/g, '/') : path;
}
