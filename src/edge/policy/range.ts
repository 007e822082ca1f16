/** Range requests against a cached body (RFC 9110 §14). One range; several are answered whole. */
import type { Headers } from './freshness.js';

export type RangeDecision =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

export function resolveRange(requestHeaders: Headers, size: number, responseHeaders: Headers): RangeDecision {
  const range = first(requestHeaders['range']);
  if (range === undefined) return { kind: 'whole' };
  // §13.1.5: If-Range that does not match means the whole representation.
  const ifRange = first(requestHeaders['if-range']);
  if (ifRange !== undefined && !ifRangeMatches(ifRange, responseHeaders)) return { kind: 'whole' };
  // §14.1: the range unit is case-insensitive.
  const match = /^bytes=(\d*)-(\d*)$/i.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    // §14.1.1: a suffix of an empty body is satisfiable but has no bytes to send; §14.2 lets us
    // ignore the Range and answer the (empty) whole.
    if (size === 0) return { kind: 'whole' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/**
 * §13.1.5: an entity tag matches by the strong comparison (§8.8.3.2: neither tag weak, same
 * opaque tag); a date matches only when it is exactly the Last-Modified value.
 */
function ifRangeMatches(ifRange: string, responseHeaders: Headers): boolean {
  const validator = ifRange.trim();
  if (validator === '') return false;
  if (validator.startsWith('"') || validator.startsWith('W/')) {
    const etag = first(responseHeaders['etag'])?.trim();
    return etag !== undefined && !validator.startsWith('W/') && !etag.startsWith('W/') && etag === validator;
  }
  return validator === first(responseHeaders['last-modified'])?.trim();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
