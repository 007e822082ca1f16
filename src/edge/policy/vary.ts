/**
 * RFC 9111 §4.1: a response with Vary may be used for another request only when every header
 * it names has the same value in both requests (absent in both counts as the same), and
 * `Vary: *` matches no other request.
 */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The field names a Vary header lists, lower-cased; `*` stays `*`. */
export function varyFields(vary: string | string[] | undefined): string[] {
  const text = Array.isArray(vary) ? vary.join(',') : (vary ?? '');
  return text
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '');
}

/**
 * Whether a response whose Vary is `vary`, fetched for `stored`, may serve `presented`. Header
 * names in both maps are lower-case (as Node gives them). Values are normalised as §4.1 allows:
 * field lines combined with ", ", and whitespace around commas and at the ends removed.
 */
export function varyMatches(vary: string | string[] | undefined, stored: RequestHeaders, presented: RequestHeaders): boolean {
  for (const field of varyFields(vary)) {
    if (field === '*') return false;
    if (normalised(stored[field]) !== normalised(presented[field])) return false;
  }
  return true;
}

function normalised(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const combined = Array.isArray(value) ? value.join(', ') : value;
  return combined.replace(/[ \t]*,[ \t]*/g, ', ').replace(/[ \t]+/g, ' ').trim();
}
