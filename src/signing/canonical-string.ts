/**
 * The string a request signature covers (CONTRACT §2):
 *
 *     {path}\r\n{queries}\r\n{requestDate}\r\n{METHOD}
 *
 * `queries` is every query parameter as `name:value`, sorted by name, joined with ", ", using
 * the first value of a repeated name. This is what our own client signs.
 */

export interface SignedRequestParts {
  /** The request method, any case. */
  readonly method: string;
  /** The URL path exactly as sent (percent-encoded), without query. */
  readonly path: string;
  /** The raw query string without the leading `?`, or '' when there is none. */
  readonly query: string;
  /** The `x-azurecdn-request-date` header value, verbatim. */
  readonly requestDate: string;
}

export interface QueryPair {
  readonly name: string;
  readonly value: string;
}

/** Splits a raw query string into pairs in URL order, keeping names and values as sent. */
export function splitQuery(query: string): QueryPair[] {
  if (query === '') return [];
  const pairs: QueryPair[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? { name: part, value: '' } : { name: part.slice(0, eq), value: part.slice(eq + 1) });
  }
  return pairs;
}

/** Percent-decodes a query component (`+` is a space, as every sample's parser treats it). */
export function decodeQueryComponent(value: string): string {
  return decodePercent(value.replace(/\+/g, ' '));
}

/** Percent-decodes, leaving a malformed escape as it is instead of throwing. */
export function decodePercent(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Keeps the first occurrence of each name, in URL order. */
export function firstOfEachName(pairs: readonly QueryPair[]): QueryPair[] {
  const seen = new Set<string>();
  return pairs.filter((pair) => (seen.has(pair.name) ? false : (seen.add(pair.name), true)));
}

/** Ordinal (code unit) comparison, the order of Go's sort.Strings and Java's TreeMap. */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function joinQueryPairs(pairs: readonly QueryPair[]): string {
  return pairs.map((pair) => `${pair.name}:${pair.value}`).join(', ');
}

/** The contract's canonical string: path as sent, query decoded, sorted by name. */
export function canonicalString(parts: SignedRequestParts): string {
  const pairs = firstOfEachName(splitQuery(parts.query))
    .map((pair) => ({ name: decodeQueryComponent(pair.name), value: decodeQueryComponent(pair.value) }))
    .sort((a, b) => compareOrdinal(a.name, b.name));
  return `${parts.path}\r\n${joinQueryPairs(pairs)}\r\n${parts.requestDate}\r\n${parts.method.toUpperCase()}`;
}
