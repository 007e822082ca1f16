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

/**
 * What a stored variant records of the request that filled it: for each field its response's
 * Vary names, the normalised value, or null when the request did not have it (§4.1: absent
 * matches only absent). Undefined when the response does not vary on anything that counts.
 *
 * Accept-Encoding is left out: cache fills always ask the origin for the identity encoding, so
 * the stored copy is the same whatever the client accepts (and nginx and others send
 * `Vary: Accept-Encoding` on everything). Callers refuse `Vary: *` before this (never stored).
 */
export type VaryValues = Readonly<Record<string, string | null>>;

export function varyValues(vary: string | string[] | undefined, request: RequestHeaders): VaryValues | undefined {
  let values: Record<string, string | null> | undefined;
  for (const field of varyFields(vary)) {
    if (field === 'accept-encoding') continue;
    (values ??= {})[field] = normalised(request[field]) ?? null;
  }
  return values;
}

/** Whether a request presents the values a stored variant was filled with (§4.1). */
export function variantMatches(stored: VaryValues | undefined, presented: RequestHeaders): boolean {
  if (!stored) return true;
  for (const field in stored) {
    if ((normalised(presented[field]) ?? null) !== stored[field]) return false;
  }
  return true;
}

/** Whether two variants vary on the same fields (the origin may change its Vary). */
export function sameVaryFields(a: VaryValues | undefined, b: VaryValues | undefined): boolean {
  const aFields = a ? Object.keys(a).sort().join('\n') : '';
  const bFields = b ? Object.keys(b).sort().join('\n') : '';
  return aFields === bFields;
}
