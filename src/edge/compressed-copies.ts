/**
 * gzip and br copies of cached text, made at the edge (policy/compression.ts decides what and
 * how it is labelled). A hit whose client accepts a coding gets the copy when one is kept;
 * otherwise it gets identity this time, and the copy is made in the background (node:zlib on
 * the thread pool, never on the event loop) and kept in the store beside the object
 * (CacheStore.putCopy), so it counts against the budget and goes with the object.
 *
 * At most MAX_RUNNING compressions run at once and each object and coding is compressed once at
 * a time: a burst of hits on new text costs a few thread-pool jobs, not a queue. A hit that
 * finds the limit reached simply gets identity, and a later hit asks again.
 *
 * A Range is answered from the identity representation (with its own ETag, so an If-Range made
 * with a compressed one's tag gets the whole body): ranges of a compressed body would be
 * offsets into bytes that only this edge has, and would change with the compressor.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { FileBody, type Body, type CachedObject, type CacheStore, type HeaderMap } from './cache/cache-store.js';
import type { SlabBody } from './cache/slab-body.js';
import { chooseCoding, encodedHeaders, identityHeaders, mayCompress, requestForbidsTransform, type Encoding } from './policy/compression.js';

/** Compressions at once: the machine's two cores are shared with serving. */
export const MAX_RUNNING = 2;

/** gzip level 6 and brotli quality 5: most of the gain at a cost a hit can wait for (nginx's and Cloudflare's kind of defaults). */
const GZIP_LEVEL = 6;
const BROTLI_QUALITY = 5;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** What a hit sends: the stored object itself, or another representation of it. */
export interface Representation {
  readonly headers: HeaderMap;
  readonly body: Body;
  /** Set for a compressed copy. */
  readonly encoding?: string;
}

export class CompressedCopies {
  private running = 0;
  /** Object and coding pairs being compressed now, so concurrent hits start one job. */
  private readonly pending = new WeakMap<CachedObject, Set<Encoding>>();
  /** Objects that did not get smaller: served identity without trying again. */
  private readonly noGain = new WeakSet<CachedObject>();
  /** Each compressible object's identity representation, prepared once (its headers gain Vary). */
  private readonly identity = new WeakMap<CachedObject, Representation>();
  /** Whether each object may be compressed, worked out once (the answer cannot change). */
  private readonly compressible = new WeakMap<CachedObject, boolean>();

  constructor(
    private readonly store: CacheStore,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Compressions running now. */
  get inProgress(): number {
    return this.running;
  }

  /**
   * The representation of `object` for this request. A client that sends no Accept-Encoding
   * costs one check; so does an object that is not compressible (remembered per object).
   */
  representation(request: IncomingHttpHeaders, object: CachedObject): Representation {
    // A body on disk is streamed as it is (compressed copies are made of bodies in memory).
    if (!inMemory(object) || !this.mayCompress(object)) return object;
    const coding =
      request.range !== undefined || requestForbidsTransform(request['cache-control']) || this.noGain.has(object)
        ? 'identity'
        : chooseCoding(request['accept-encoding']);
    if (coding !== 'identity') {
      const copy = this.store.copyOf(object, coding);
      if (copy) return copy;
      this.compress(object, coding);
    }
    // Vary: Accept-Encoding on identity too: a downstream cache must not give it to a gzip client.
    let identity = this.identity.get(object);
    if (!identity) this.identity.set(object, (identity = { headers: identityHeaders(object.headers), body: object.body }));
    return identity;
  }

  private mayCompress(object: CachedObject): boolean {
    let may = this.compressible.get(object);
    if (may === undefined) this.compressible.set(object, (may = mayCompress(object.status, object.headers, object.body.length)));
    return may;
  }

  private compress(object: CachedObject & { readonly body: Buffer | SlabBody }, encoding: Encoding): void {
    let codings = this.pending.get(object);
    if (codings?.has(encoding) || this.running >= MAX_RUNNING) return;
    if (!codings) this.pending.set(object, (codings = new Set()));
    codings.add(encoding);
    this.running++;
    // A copy to compress from: the thread pool reads it after the object may have been evicted.
    const input = Buffer.isBuffer(object.body) ? object.body : object.body.toBuffer();
    const job = encoding === 'br' ? brotliAsync(input, brotliOptions(input.length)) : gzipAsync(input, { level: GZIP_LEVEL });
    job
      .then((body) => {
        if (body.length >= input.length) return void this.noGain.add(object);
        // Refused when the object was replaced, purged or evicted meanwhile: the copy is dropped.
        this.store.putCopy(object, { encoding, headers: encodedHeaders(object.headers, encoding, body.length), body });
      })
      .catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.running--;
        codings.delete(encoding);
      });
  }
}

function inMemory(object: CachedObject): object is CachedObject & { readonly body: Buffer | SlabBody } {
  return !(object.body instanceof FileBody);
}

function brotliOptions(size: number) {
  return {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  };
}
