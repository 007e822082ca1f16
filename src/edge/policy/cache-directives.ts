/**
 * Cache directives of a response, and which field they come from: CDN-Cache-Control
 * (RFC 9213), then Surrogate-Control, then Cache-Control (RFC 9111 §5.2).
 *
 * CDN-Cache-Control is a Structured Field Dictionary (RFC 9213 §2.2, RFC 8941), parsed with
 * structured-headers: one that does not parse is ignored whole, as is one whose max-age or
 * s-maxage is not an Integer (a wrong type). Cache-Control and Surrogate-Control predate
 * Structured Fields and are read by the lenient parser below.
 *
 * Parsing (§5.2): names are case-insensitive; a value is a token or a quoted-string (commas
 * inside quotes do not split); list members separated by commas, repeated field lines joined.
 * Structured-field parameters (";a=b", as in RFC 9213 dictionaries and Surrogate-Control's
 * ";target") are skipped. A directive given twice counts once, with its first value (§4.2.1
 * allows "the first occurrence" or "stale"; first keeps "max-age=60, max-age=60" usable).
 */
import { parseDictionary } from 'structured-headers';

export interface CacheDirectives {
  readonly noStore: boolean;
  /**
   * no-cache, with or without field names: the qualified form is read as the unqualified one
   * (stricter, as §5.2.2.4 allows). Without revalidation this edge does not store either.
   */
  readonly noCache: boolean;
  /** private, qualified or not (a shared cache may store neither form whole; §5.2.2.7). */
  readonly private: boolean;
  /** must-revalidate or proxy-revalidate: never serve stale (this edge never does yet). */
  readonly mustRevalidate: boolean;
  /** Seconds; 0 when the directive is present but not delta-seconds (§4.2.1: treat as stale). */
  readonly maxAge: number | undefined;
  readonly sMaxAge: number | undefined;
  /** RFC 5861 §3: seconds a stale response may be served while it is revalidated. */
  readonly staleWhileRevalidate: number | undefined;
  /** RFC 5861 §4: seconds a stale response may be served when the origin fails. */
  readonly staleIfError: number | undefined;
}

export type DirectiveField = 'cdn-cache-control' | 'surrogate-control' | 'cache-control';

/** Targeted fields (RFC 9213 §2.1), in the order they win. */
export const TARGETED_FIELDS: readonly DirectiveField[] = ['cdn-cache-control', 'surrogate-control'];

/**
 * Fields the edge acts on and never forwards: Surrogate-Control is meant for the surrogate it
 * reaches (W3C Edge Architecture). CDN-Cache-Control goes on, as RFC 9213 §3 says CDNs
 * typically do, so that CDN caches downstream can use it too.
 */
export const EDGE_ONLY_FIELDS: readonly string[] = ['surrogate-control'];

/** §1.2.2: delta-seconds larger than this are read as this. */
const MAX_DELTA_SECONDS = 2_147_483_648;

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export interface DirectiveList {
  /** Name (lower case) to value; undefined for a directive without one. */
  readonly directives: Map<string, string | undefined>;
  /** Something in the field was not a directive (the rest is still read). */
  readonly malformed: boolean;
}

/** The directives of one field. */
export function parseDirectiveList(value: string | string[] | undefined): DirectiveList {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  const directives = new Map<string, string | undefined>();
  let malformed = false;
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && TOKEN_CHAR.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const quoted = () => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      out += text[i] ?? '';
      i++;
    }
    if (text[i] !== '"') malformed = true;
    i++;
    return out;
  };
  while (i < text.length) {
    skipSpaces();
    if (i >= text.length) break;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const name = token().toLowerCase();
    let value: string | undefined;
    if (text[i] === '=') {
      i++;
      value = text[i] === '"' ? quoted() : token();
    }
    // Parameters (";a=b") and anything else up to the next comma.
    skipSpaces();
    if (text[i] === ';') {
      while (i < text.length && text[i] !== ',') {
        if (text[i] === '"') quoted();
        else i++;
      }
    } else if (i < text.length && text[i] !== ',') {
      malformed = true;
      while (i < text.length && text[i] !== ',') i++;
    }
    if (!name) malformed = true;
    else if (!directives.has(name)) directives.set(name, value);
  }
  return { directives, malformed };
}

/** The directives this cache acts on, from one field's list. */
export function cacheDirectives(list: ReadonlyMap<string, string | undefined>, only?: readonly string[]): CacheDirectives {
  const has = (name: string) => list.has(name) && (!only || only.includes(name));
  const seconds = (name: string): number | undefined => {
    if (!has(name)) return undefined;
    const raw = list.get(name);
    // §4.2.1: invalid freshness information (max-age=-1, max-age=1.5, a bare max-age) is stale.
    return raw !== undefined && /^\d+$/.test(raw) ? Math.min(MAX_DELTA_SECONDS, Number(raw)) : 0;
  };
  return {
    noStore: has('no-store'),
    noCache: has('no-cache'),
    private: has('private'),
    mustRevalidate: has('must-revalidate') || has('proxy-revalidate'),
    maxAge: seconds('max-age'),
    sMaxAge: seconds('s-maxage'),
    staleWhileRevalidate: seconds('stale-while-revalidate'),
    staleIfError: seconds('stale-if-error'),
  };
}

/** §5.2: Cache-Control alone. */
export function parseCacheControl(value: string | string[] | undefined): CacheDirectives {
  return cacheDirectives(parseDirectiveList(value).directives);
}

/**
 * RFC 9213 §2.1: the first targeted field with a valid, non-empty value decides, and then
 * Cache-Control and Expires are ignored. Surrogate-Control (W3C Edge Architecture) follows
 * CDN-Cache-Control, and only its max-age and no-store are read.
 */
export function responseDirectives(headers: Readonly<Record<string, string | string[] | undefined>>): {
  readonly directives: CacheDirectives;
  readonly field: DirectiveField;
} {
  const targeted = parseTargetedField(headers['cdn-cache-control']);
  if (targeted && targeted.size > 0) return { directives: cacheDirectives(targeted), field: 'cdn-cache-control' };
  for (const field of TARGETED_FIELDS) {
    if (field === 'cdn-cache-control') continue;
    const { directives, malformed } = parseDirectiveList(headers[field]);
    if (malformed || directives.size === 0) continue;
    // Surrogate-Control's "max-age=60+30" adds 30 s of grace, which this edge does not use.
    const maxAge = directives.get('max-age');
    if (maxAge !== undefined) directives.set('max-age', maxAge.split('+')[0]);
    return { directives: cacheDirectives(directives, ['max-age', 'no-store']), field };
  }
  return { directives: parseCacheControl(headers['cache-control']), field: 'cache-control' };
}

/** Directives whose value must be an Integer (RFC 9213 §2.2: as in Cache-Control, delta-seconds). */
const INTEGER_DIRECTIVES = new Set(['max-age', 's-maxage']);

/**
 * RFC 9213 §2.2: a targeted field as a Structured Field Dictionary, each member a directive
 * (true for one without a value). Undefined when the field is absent or invalid: it does not
 * parse (RFC 8941: lower-case keys, no stray tokens), or a lifetime is not an Integer. The
 * cache then ignores it whole and falls back to Cache-Control.
 */
export function parseTargetedField(value: string | string[] | undefined): Map<string, string | undefined> | undefined {
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text === undefined || text.trim() === '') return undefined;
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    dictionary = parseDictionary(text);
  } catch {
    return undefined;
  }
  const directives = new Map<string, string | undefined>();
  for (const [name, [item]] of dictionary) {
    if (INTEGER_DIRECTIVES.has(name) && !(typeof item === 'number' && Number.isInteger(item))) return undefined;
    if (item === false) continue; // "?0": the directive is off
    directives.set(name, item === true ? undefined : String(item));
  }
  return directives;
}
