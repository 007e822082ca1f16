/**
 * Wildcard purge paths (extension): a "*" in a purge URL's path matches any run of characters,
 * "/" included ("http://d/*.html" is every .html file of the site, at any depth;
 * "http://d/img/*\/thumb.png" every thumb.png below /img/). A literal "*" is written %2A.
 *
 * Matched in linear time, whatever the pattern: the literal pieces between the stars are found
 * once each, left to right (the first piece must start the path and the last end it), taking
 * the leftmost place for each; leftmost is always right for "*" globs, so nothing is ever tried
 * twice and no input can make it backtrack (unlike a regular expression built from the pattern).
 */

export const WILDCARD = '*';

/** Whether a purge path (normal form, url-path.ts) is a pattern. */
export function isPathPattern(path: string): boolean {
  return path.includes(WILDCARD);
}

/** A pattern split once, to be matched against many paths. */
export interface CompiledPattern {
  readonly source: string;
  /** The literal text between the stars: [prefix, ...middles, suffix]; at least two pieces. */
  readonly pieces: readonly string[];
}

export function compilePattern(pattern: string): CompiledPattern {
  return { source: pattern, pieces: pattern.split(WILDCARD) };
}

/** Whether `path` matches the pattern as a whole. */
export function matchesPattern(pattern: CompiledPattern, path: string): boolean {
  const { pieces } = pattern;
  if (pieces.length === 1) return path === pieces[0];
  const prefix = pieces[0]!;
  const suffix = pieces[pieces.length - 1]!;
  if (path.length < prefix.length + suffix.length || !path.startsWith(prefix) || !path.endsWith(suffix)) return false;
  let at = prefix.length;
  const end = path.length - suffix.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = path.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * The pattern a purge item stands for: its path for a file URL, and for a directory URL (which
 * ends in "/") everything below the directories it matches.
 */
export function purgePatternOf(kind: 'file' | 'directory', path: string): string {
  return kind === 'directory' ? `${path}${WILDCARD}` : path;
}
