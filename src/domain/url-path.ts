/**
 * One normal form for URL paths, used by the purge/preload URL checks, the edge's cache key, the
 * path the edge asks the origin for, cache rules and referer control, so that "/a%7Eb", "/a~b"
 * and "/a%7eb" name the same object (RFC 3986 §6.2.2.1-2: escapes of unreserved characters are
 * decoded, other escapes upper-cased), a raw non-ASCII character equals its UTF-8 escapes, and
 * "//a.png" is "/a.png" (repeated slashes are merged, as nginx and most origins do, so that a
 * purge of "/a.png" cannot miss a copy cached under "//a.png").
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function normalizePath(rawPath: string): string {
  let path = rawPath.includes('//') ? rawPath.replace(/\/{2,}/g, '/') : rawPath;
  if (/[^\u0000-\u007e]/.test(path)) {
    path = path.replace(/[^\u0000-\u007e]+/g, (run) => encodeURIComponent(run));
  }
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * Decodes percent-escapes until none is left, to see what any depth of encoding hides
 * ("%25252e" is "."). In one pass: an escape is decoded as soon as its last character is in
 * place, which may complete an escape before it ("%25" then "41": "%41", then "A"). Escapes
 * never overlap ("%" is no hex digit), so this ends where decoding the whole text round after
 * round ends, in linear time instead of a round per level of encoding.
 */
export function decodeRepeatedly(value: string): string {
  if (!value.includes('%')) return value;
  const out = new Uint16Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    out[n++] = value.charCodeAt(i);
    while (n >= 3 && out[n - 3] === PERCENT && hexValue(out[n - 2]!) >= 0 && hexValue(out[n - 1]!) >= 0) {
      out[n - 3] = hexValue(out[n - 2]!) * 16 + hexValue(out[n - 1]!);
      n -= 2;
    }
  }
  let result = '';
  for (let i = 0; i < n; i += 8192) result += String.fromCharCode(...out.subarray(i, Math.min(n, i + 8192)));
  return result;
}

const PERCENT = 0x25;

/** The value of a hex digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
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
