/**
 * The cache store contract (after undici's): stores keep bytes and absolute times and never
 * interpret HTTP; the edge decides what to store and for how long.
 *
 * Purges are generation records, so they cost the same however much is cached: every fill
 * notes the store's generation when it starts (`beginFill()`), every purge records a new
 * generation for a file or a directory, and an object is served only if it was filled at or
 * after every purge that covers it. A fill that was under way when a purge came is therefore
 * never served afterwards either.
 *
 * Soft purges (extension) take `softAt`, the time of the purge: what they cover is not dropped
 * but stale from then on (its staleAt moved back to that time), so the next request revalidates
 * it with the origin and the stale-serving rules apply to it as to any stale object.
 */

import type { RequestHeaders, VaryValues } from '../policy/vary.js';
import type { OpenFiles } from './open-files.js';
import type { SlabBody, SlabWriter } from './slab-body.js';

export type HeaderMap = Record<string, string | string[]>;

/**
 * A body kept in a file of the disk tier (disk-tier.ts): `length` bytes at `offset` in the file
 * at `path`. It is read from there into reused memory, or streamed when large; whoever opens it
 * checks the file's length first (file-body.ts), so a truncated file is never served.
 */
export class FileBody {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly length: number,
    /** Where hits find the file already open (the tier's, open-files.ts); opened per hit without. */
    readonly files?: OpenFiles,
  ) {}

  /** Set by the tier once it lets the file go: a hit that opens it after that does not keep it open. */
  removed = false;

  /** The length the file must have for this body to be whole. */
  get fileLength(): number {
    return this.offset + this.length;
  }
}

/**
 * In memory: in the store's slab pool (slab-body.ts), or a buffer of its own (what a fill or a
 * compression gives `put`, which copies it into the pool); or in a file of the disk tier.
 */
export type Body = Buffer | SlabBody | FileBody;

/**
 * The least a stored object stays put in a store's LRU order after a hit moved it (Varnish's
 * `lru_interval`, 2 s there too): a hot object is moved once per interval, not on every hit,
 * which would cost a map delete and insert each time. Eviction order is then right to within
 * this interval, which no budget notices.
 */
export const LRU_INTERVAL_MS = 2_000;

/** Variants a store keeps per key at most (least recently used out), so no client floods it. */
export const MAX_VARIANTS_PER_KEY = 32;

export interface CachedObject {
  readonly key: string;
  readonly endpointId: string;
  /** Normalised path (domain/url-path.ts), for purges. */
  readonly path: string;
  readonly status: number;
  readonly headers: HeaderMap;
  /** In the pool for an object `get` found in memory; a FileBody for one found in the disk tier. */
  readonly body: Body;
  /** When the response was received from the origin (epoch ms). */
  readonly storedAt: number;
  /** When it stops being fresh (epoch ms). */
  readonly staleAt: number;
  /**
   * When the store drops it (epoch ms; staleAt when absent). Between staleAt and deleteAt it is
   * kept stale, to be revalidated or served stale (Varnish's grace and keep).
   */
  readonly deleteAt?: number;
  /** The store generation when the fill started. */
  readonly generation: number;
  /**
   * For a response with Vary (RFC 9111 §4.1): the values of the named request fields it was
   * filled with. Variants of one key are kept side by side; a put with other Vary fields than
   * those stored replaces them all (the origin changed its Vary).
   */
  readonly vary?: VaryValues;
  /** Cache tags of the response (policy/cache-tags.ts), for tag purges; none when absent. */
  readonly tags?: readonly string[];
}

/** What `get` finds: an object, and whether it is stale at the `now` asked about. */
export interface CacheLookup {
  readonly object: CachedObject;
  readonly stale: boolean;
}

/**
 * Another representation of a stored object, made at the edge from its body (a gzip or br copy,
 * compressed-copies.ts). It lives and dies with the object: replaced, revalidated, purged,
 * expired or evicted, the object takes its copies with it.
 */
export interface EncodedCopy {
  /** The content coding, as Content-Encoding names it. */
  readonly encoding: string;
  /** The headers it is sent with, prepared once. */
  readonly headers: HeaderMap;
  readonly body: Body;
}

export interface CacheStore {
  /**
   * An unpurged object not yet past its deleteAt, fresh or stale (`now` decides), or undefined;
   * a purged object is never returned, stale or not. `request` selects the variant
   * (policy/vary.ts variantMatches); without it, any variant (to ask whether the key holds one).
   */
  get(key: string, now: number, request?: RequestHeaders): CacheLookup | undefined;
  /**
   * Where a fill writes a body to be stored in memory (declaredLength: the length the origin
   * declared), or undefined when such a body would not be kept in memory.
   */
  bodyWriter(declaredLength?: number): SlabWriter | undefined;
  /**
   * Stores the object unless a purge since its generation covers it; false when refused. It
   * replaces the variant with the same `vary` values; past MAX_VARIANTS_PER_KEY, the least
   * recently used variant of the key goes. The body is the store's afterwards, stored or not (a
   * SlabBody's reference is taken over).
   */
  put(object: CachedObject): boolean;
  /**
   * Keeps `copy` beside `object` while that very object is stored (the one `get` returned, not
   * a newer one under its key); its bytes count against the budget. False when the object is
   * no longer stored or the copy does not fit.
   */
  putCopy(object: CachedObject, copy: EncodedCopy): boolean;
  /** The copy of `object` in this encoding, if one is kept. */
  copyOf(object: CachedObject, encoding: string): EncodedCopy | undefined;
  /** Drops this very object (one `get` returned): its body could not be read whole. */
  discard(object: CachedObject): void;
  /** The current generation. */
  generation(): number;
  /**
   * A fill starts: the generation to pass with the object it makes. Until `endFill`, purge
   * records newer than it are kept, so that its put is refused if one covers it.
   */
  beginFill(): number;
  /** The fill that began at `generation` has put its object, or given up. */
  endFill(generation: number): void;
  /** Drops every query variant (and Vary variant) of the path (with `softAt`: marks them stale). */
  purgeFile(endpointId: string, path: string, softAt?: number): void;
  /**
   * Drops everything whose path starts with `directory` (which ends in "/"; one given without
   * it is read as if it had it, never as its parent).
   */
  purgeDirectory(endpointId: string, directory: string, softAt?: number): void;
  /**
   * Drops everything whose path matches the wildcard pattern (domain/path-pattern.ts: "*" is
   * any run of characters, "/" included). Costs a walk of the stored objects.
   */
  purgePattern(endpointId: string, pattern: string, softAt?: number): void;
  /**
   * Drops every object of the endpoint that carries the tag, found through an index of tags:
   * the cost is the objects dropped, not the objects stored.
   */
  purgeTag(endpointId: string, tag: string, softAt?: number): void;
  /** Drops everything of the endpoint. */
  purgeEndpoint(endpointId: string): void;
  /**
   * Drops everything, of every endpoint (what the edge's owner asks when it cannot tell what
   * was purged while the edge was not listening, as a fleet resync does).
   */
  purgeAll(): void;
  /** Bytes of bodies held. */
  readonly bytes: number;
  readonly count: number;
  readonly maxObjectBytes: number;
}

export function cacheKey(endpointId: string, path: string, query: string): string {
  return `${endpointId}\n${path}\n${query}`;
}
