/**
 * The strings a server accepts a signature over. The four official samples (Python, Java, C#,
 * Go in REST-API-v1.yaml) each build the canonical string a little differently; CONTRACT §2
 * lists the variants a server must accept. This builds the small, fixed set of candidates for
 * one request, without duplicates:
 *
 * - path: as sent or percent-decoded (Go's `u.Path`), and either lower-cased (C#);
 * - query order: sorted by name (ordinal: Go, Java), in URL order (Python keeps parse_qs's
 *   order), or sorted ignoring case (C#'s culture-aware `string.Compare`);
 * - query values: as sent (Java) or decoded (Python, Go, C#);
 * - blank parameters (`a=`, or a bare `a` for Go) kept (Go, C#) or dropped (Python's parse_qs, and
 *   Java's `split("=")` that skips them);
 * - with no query parameters at all, the line either empty (Python, Java, Go) or left out with
 *   its `\r\n` (C#). Only then: a query of blank parameters (`a=`) makes the line empty for
 *   Python and Java, but C# still writes `a:`, so no sample leaves the line out.
 *
 * A repeated parameter name always counts with its first value; the API refuses requests that
 * repeat a name, so no variant can make the server act on a value the signature did not cover.
 */
import {
  compareOrdinal,
  decodePercent,
  decodeQueryComponent,
  firstOfEachName,
  joinQueryPairs,
  splitQuery,
  type QueryPair,
  type SignedRequestParts,
} from './canonical-string.js';

type Order = (pairs: QueryPair[]) => QueryPair[];

const ORDERS: readonly Order[] = [
  (pairs) => [...pairs].sort((a, b) => compareOrdinal(a.name, b.name)),
  (pairs) => pairs,
  (pairs) =>
    [...pairs].sort((a, b) => {
      const folded = compareOrdinal(a.name.toLowerCase(), b.name.toLowerCase());
      return folded !== 0 ? folded : compareOrdinal(a.name, b.name);
    }),
];

export function candidateStrings(parts: SignedRequestParts): string[] {
  return [...candidates(parts)];
}

/**
 * The candidates one by one, without duplicates, the contract's canonical string first (path as
 * sent, query decoded and sorted: what our own client signs), so a verifier that stops at the
 * first match usually builds only that one.
 */
export function* candidates(parts: SignedRequestParts): Generator<string> {
  const tail = `${parts.requestDate}\r\n${parts.method.toUpperCase()}`;
  const raw = firstOfEachName(splitQuery(parts.query));
  const decoded = raw.map((pair) => ({
    name: decodeQueryComponent(pair.name),
    value: decodeQueryComponent(pair.value),
  }));
  const seen = new Set<string>();
  function* emit(candidate: string): Generator<string> {
    if (!seen.has(candidate)) {
      seen.add(candidate);
      yield candidate;
    }
  }

  yield* emit(`${parts.path}\r\n${joinQueryPairs(ORDERS[0]!(decoded))}\r\n${tail}`);

  const paths = new Set<string>();
  for (const path of [parts.path, decodePercent(parts.path)]) {
    paths.add(path);
    paths.add(path.toLowerCase());
  }
  const queryLines = new Set<string>();
  for (const pairs of [decoded, raw]) {
    for (const kept of [pairs, pairs.filter((pair) => pair.value !== '')]) {
      for (const order of ORDERS) queryLines.add(joinQueryPairs(order(kept)));
    }
  }
  for (const path of paths) {
    for (const queryLine of queryLines) {
      yield* emit(`${path}\r\n${queryLine}\r\n${tail}`);
      if (raw.length === 0 && queryLine === '') yield* emit(`${path}\r\n${tail}`);
    }
  }
}
