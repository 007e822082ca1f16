/**
 * The fills under way, one per key: a miss starts one, and later misses on the key join it
 * (coalescing) when its response may be shared with them (RFC 9111 §3 and §4.1); others go to
 * the origin alone, and a key whose answer could not be shared is remembered for a while so
 * its requests do not queue (hit-for-pass, pass-memory.ts). A fill may be a revalidation of a
 * stale copy (RFC 9111 §4.3), which that copy stands in for when the origin fails (RFC 5861).
 * What a fill brings is stored when it may be (policy/), within the fill budget.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BodyRateGuard, OriginTooSlowError, type BodyRateLimit } from './body-rate.js';
import type { CachedObject, CacheStore, HeaderMap } from './cache/cache-store.js';
import { bodyChunks } from './cache/file-body.js';
import { SlabBody } from './cache/slab-body.js';
import type { EdgeAccounting } from './edge-accounting.js';
import { type BodyWriterFor, Fill, type FillHead, type FillReader } from './fill.js';
import { FillBudget } from './fill-budget.js';
import { endToEndHeaders, originRequestHeaders, VIA, withoutHeaders } from './http-headers.js';
import type { OriginResponse } from './origin-client.js';
import { PassMemory, passSecondsFor } from './pass-memory.js';
import { mayCompress, withAcceptEncoding } from './policy/compression.js';
import { isNotModified } from './policy/conditional.js';
import { storageDecision } from './policy/cookies.js';
import { exchangeContext } from './policy/freshness.js';
import { resolveRange } from './policy/range.js';
import { conditionalHeaders, headersAfterNotModified, keepUntil, servesOnError, servesWhileRevalidating, staleRules } from './policy/revalidation.js';
import { tagsOf } from './policy/cache-tags.js';
import { varyMatches, varyValues, type RequestHeaders } from './policy/vary.js';
import type { Served } from './served.js';

/** What the registry needs of the edge around it. */
export interface FillRegistryDeps {
  readonly cache: CacheStore;
  readonly now: () => number;
  readonly log: Logger;
  readonly accounting: EdgeAccounting;
  /** Bytes fills in progress may hold for the cache (fill-budget.ts). */
  readonly fillBytes: number;
  /** The slowest an origin may send a body being stored (body-rate.ts). */
  readonly originBodyRate: BodyRateLimit;
  readonly negativeTtlSeconds: number | undefined;
  /** The tag headers (lower case, policy/cache-tags.ts): read into the stored object's tags. */
  readonly tagHeaders: readonly string[];
  /** Fields of an origin response that neither clients nor the store get: the edge's own directives and the tag headers. */
  readonly hidden: readonly string[];
  /** Answers from a stored copy (a stale one, within stale-while-revalidate or for a failure). */
  deliverStored(served: Served, req: IncomingMessage, res: ServerResponse, object: CachedObject, now: number): void;
  /** Sends a request to the origin alone; `marked` when it passes because of hit-for-pass. */
  pass(served: Served, req: IncomingMessage, res: ServerResponse, target: string, clientIp: string, marked?: { key: string; path: string }): void;
  /** Answers a client the origin failed. */
  originFailed(served: Served, res: ServerResponse, error: Error): void;
}

/** A fill under way, which requests that miss on its key join. */
interface RunningFill {
  readonly fill: Fill;
  readonly endpointId: string;
  /** Normalised path, so that a purge can tell which fills it covers. */
  readonly path: string;
  /** What the fill asked the origin, which a joining request must match on the response's Vary. */
  readonly request: Readonly<Record<string, string>>;
  /** The response's cache tags once its head has come (undefined before: a tag purge covers the fill). */
  tags: readonly string[] | undefined;
}

/** A request joining a fill in progress. */
interface Joining {
  /** Whether the fill's response may be given to this request (RFC 9111 §4.1 and §3). */
  shares(head: FillHead): boolean;
  /** Sends this request to the origin on its own. */
  passAlone(): void;
}

/**
 * A revalidation failed (origin unreachable, or a 5xx) and the stale copy may stand in for the
 * answer (policy/revalidation.ts): the fill fails with this, and its readers serve the stale copy.
 */
class StaleInstead extends Error {}

export class FillRegistry {
  private readonly running = new Map<string, RunningFill>();
  private readonly budget: FillBudget;
  /** Keys whose answers could not be shared lately: their requests pass (hit-for-pass). */
  private readonly passMemory = new PassMemory();
  /** Kept bodies are written into the cache's pool as they come. */
  private readonly writerFor: BodyWriterFor = (declaredLength) => this.deps.cache.bodyWriter(declaredLength);

  constructor(private readonly deps: FillRegistryDeps) {
    this.budget = new FillBudget(deps.fillBytes);
  }

  /** Bytes that fills in progress hold for the cache now, against `fillBytes`. */
  get heldBytes(): number {
    return this.budget.held;
  }

  /** Clients attached to fills in progress now (waiting for a head or streaming a body). */
  get clients(): number {
    let clients = 0;
    for (const running of this.running.values()) clients += running.fill.readerCount;
    return clients;
  }

  /** Whether a fill for the key is under way. */
  has(key: string): boolean {
    return this.running.has(key);
  }

  /**
   * A request the cache has no fresh copy for: `stale` is the stale one it holds, if any.
   * Within stale-while-revalidate the stale copy is served at once and revalidated in the
   * background, one revalidation per key (RFC 5861 §3); otherwise the request joins the fill
   * for its key, or starts one (which revalidates the stale copy, RFC 9111 §4.3).
   */
  serve(served: Served, req: IncomingMessage, res: ServerResponse, key: string, path: string, target: string, clientIp: string, stale: CachedObject | undefined, now: number): void {
    if (stale && servesWhileRevalidating(staleRules(stale.headers), stale.staleAt, now)) {
      if (!this.running.has(key)) {
        // A preload's kind of fill: no client reads it, it goes on while its body is kept.
        this.runFill(served, new Fill(key, this.budget, this.writerFor, true), path, target, originRequestHeaders(req.headers, clientIp, true), req.headers, stale);
      }
      return this.deps.deliverStored(served, req, res, stale, now);
    }

    // Lately not shareable: straight to the origin, no queue behind one fill (hit-for-pass).
    if (this.passMemory.passes(key, now)) return this.deps.pass(served, req, res, target, clientIp, { key, path });
    const running = this.running.get(key);
    const request = originRequestHeaders(req.headers, clientIp, true);
    const passAlone = () => this.deps.pass(served, req, res, target, clientIp);
    if (running) {
      const join: Joining = { shares: (head) => head.ttlSeconds > 0 && varyMatches(head.headers['vary'], running.request, request), passAlone };
      if (!this.readFill(served, req, res, running.fill, join, false, stale)) passAlone();
      return;
    }
    const fill = new Fill(key, this.budget, this.writerFor);
    this.readFill(served, req, res, fill, { shares: () => true, passAlone }, true, stale);
    this.runFill(served, fill, path, target, request, req.headers, stale);
  }

  /** A preload's fill: a fetch of its own (one under way may have started before a purge), settled. */
  async preload(served: Served, key: string, path: string, originTarget: string): Promise<Fill> {
    const fill = new Fill(key, this.budget, this.writerFor, true);
    this.runFill(served, fill, path, originTarget, originRequestHeaders({}, '127.0.0.1', true), {});
    await fill.whenSettled();
    return fill;
  }

  /** An answer that went to the origin alone was shareable again: its key fills the cache again (hit-for-miss). */
  shareableAgain(key: string): void {
    this.passMemory.forget(key);
  }

  /** The endpoint's settings changed: new cache rules may make shareable what was not. */
  settingsChanged(endpointId: string): void {
    this.passMemory.forgetCovered(endpointId, () => true);
  }

  /**
   * Fills under way that a purge covers: the store will refuse what they bring (its
   * generation is older than the purge), and no request may join them from now on, or it
   * would get the content from before the purge. Their readers so far still get it whole.
   */
  forget(endpointId: string, covered: (path: string, tags: readonly string[] | undefined) => boolean): void {
    for (const [key, running] of this.running) {
      if (running.endpointId === endpointId && covered(running.path, running.tags)) this.running.delete(key);
    }
    // What was learnt about the content before the purge no longer holds.
    this.passMemory.forgetCovered(endpointId, (path) => covered(path, []));
  }

  /** Every fill under way and everything remembered about keys: the whole cache was purged. */
  forgetAll(): void {
    this.running.clear();
    this.passMemory.forgetAll();
  }

  /**
   * Streams a fill to a client: the one that started it (`first`), or one that joins it. False
   * when a joining client cannot share the fill (the response is not shareable), so the caller
   * fetches for it alone; one that attached before the head and cannot share what came is sent
   * to the origin then (`join.passAlone`). `stale`: the stored copy the fill revalidates,
   * served instead when the fill fails with StaleInstead.
   *
   * A Range on a miss (video seeking) is served from the fill as the body arrives, when the
   * response is being stored and its length is declared; otherwise the request goes to the
   * origin alone, Range and all, so the edge never sends a whole body for a range of it.
   */
  private readFill(served: Served, req: IncomingMessage, res: ServerResponse, fill: Fill, join: Joining, first: boolean, stale?: CachedObject): boolean {
    const counted = this.deps.accounting.meterResponse(served, res);
    const head = req.method === 'HEAD';
    const ranged = !head && req.headers.range !== undefined;
    /** The part of the body this client asked for, and how far the fill has come. */
    let window: { readonly start: number; readonly end: number; at: number } | undefined;
    // The client's own conditional matched what came: it gets a 304 and no body.
    let notModified = false;
    // The stale copy may answer when the fill fails: its body stays whole until then.
    const letGoOfStale = holdBody(stale);
    const reader: FillReader = {
      get wantsBody() {
        return !head && !notModified;
      },
      shares: (h) => (first || join.shares(h)) && (!ranged || servesRanges(fill, h)),
      notShared: join.passAlone,
      // A reader gets the head once, whether it came before or after the origin answered.
      head: (h: FillHead) => {
        this.deps.accounting.count(res, served, h.ttlSeconds > 0 ? 'MISS' : 'PASS');
        // Age is in the head already: the response's initial age (runFill).
        const headers: HeaderMap = { ...(first ? h.headers : h.sharedHeaders), 'x-cache': 'MISS', via: VIA };
        // Its hits depend on Accept-Encoding (RFC 9110 §12.5.5): a cache downstream must know from the first answer.
        if (h.compressible) headers['vary'] = withAcceptEncoding(headers['vary']);
        // RFC 9110 §13.2.1: preconditions apply only to what would otherwise be a 2xx.
        notModified = !head && h.status >= 200 && h.status < 300 && isNotModified(req.headers, h.headers);
        const range = ranged && !notModified ? resolveRange(req.headers, Number(h.headers['content-length']), h.headers) : undefined;
        if (notModified) {
          res.writeHead(304, withoutHeaders(headers, ['content-length', 'content-type']));
          res.end();
        } else if (range?.kind === 'partial') {
          window = { start: range.start, end: range.end, at: 0 };
          const size = h.headers['content-length'];
          res.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) });
        } else if (range?.kind === 'unsatisfiable') {
          res.writeHead(416, { ...withoutHeaders(headers, ['content-type']), 'content-range': `bytes */${h.headers['content-length']}`, 'content-length': '0' });
          res.end();
        } else {
          res.writeHead(h.status, headers);
          if (head) res.end();
        }
      },
      data: (chunk) => {
        if (head || notModified || res.destroyed || res.writableEnded) return;
        if (window) {
          const from = window.at;
          window.at += chunk.length;
          const part = chunk.subarray(Math.max(0, window.start - from), Math.max(0, window.end + 1 - from));
          if (part.length === 0) return;
          counted.bytes += part.length;
          res.write(part);
          // Its part has come: this client need not wait for the rest, which goes on into the
          // cache (within the fill budget) so that its next ranges are hits.
          if (window.at > window.end) {
            fill.goOnForTheCache();
            res.end();
          }
          return;
        }
        counted.bytes += chunk.length;
        res.write(chunk);
      },
      end: () => {
        letGoOfStale();
        if (!head && !res.writableEnded) res.end();
      },
      error: (error) => {
        if (res.headersSent) res.destroy(error);
        else if (error instanceof StaleInstead && stale) this.deps.deliverStored(served, req, res, stale, this.deps.now());
        else this.deps.originFailed(served, res, error);
        letGoOfStale();
      },
      backlog: () => (res.writableNeedDrain && !res.destroyed ? drained(res) : undefined),
    };
    res.on('close', letGoOfStale);
    const attached = fill.attach(reader, first);
    // A HEAD client that had its head has not left the fill: it may go on into the cache.
    if (attached) res.on('close', () => (!(head || notModified) || !res.headersSent) && fill.detach(reader));
    return attached;
  }

  /**
   * Fetches from the origin into `fill`, and stores the body if it may be cached: as the variant
   * of `client` (the request as the client sent it) when the response has Vary. With `stale`, a
   * revalidation (RFC 9111 §4.3): the request carries its validators; a 304 updates the stored
   * headers and freshness and the readers get the stored body (§4.3.4); a 200 replaces it; a
   * failure the stale copy may stand in for fails the fill with StaleInstead.
   */
  private runFill(served: Served, fill: Fill, path: string, target: string, headers: Record<string, string>, client: RequestHeaders, stale?: CachedObject): void {
    const running: RunningFill = { fill, endpointId: served.config.endpointId, path, request: headers, tags: undefined };
    this.running.set(fill.key, running);
    // An abandoned fill is no longer joined: the next request for the key starts its own.
    fill.signal.addEventListener('abort', () => this.running.get(fill.key)?.fill === fill && this.running.delete(fill.key), { once: true });
    const { cache, now } = this.deps;
    const { config } = served;
    const generation = cache.beginFill();
    // After a 304 the stale copy's body is the answer: it stays whole until the fill ends.
    const letGoOfStale = holdBody(stale);
    void (async () => {
      const requested = now();
      const rules = stale && staleRules(stale.headers);
      const sent = stale ? { ...headers, ...conditionalHeaders(stale.headers) } : headers;
      let response: OriginResponse;
      try {
        response = await this.deps.accounting.timedFetch({ method: 'GET', target, addresses: config.originAddresses, host: config.host, headers: sent, signal: fill.signal });
      } catch (error) {
        if (stale && !fill.abandoned && servesOnError(rules!, stale.staleAt, now(), true)) throw this.staleInstead(config.endpointId, error as Error);
        throw error;
      }
      const received = now();
      if (stale && response.status >= 500 && servesOnError(rules!, stale.staleAt, received, false)) {
        // Destroying an undici body emits an abort error: no one reads it.
        response.body.on('error', () => undefined).destroy();
        throw this.staleInstead(config.endpointId, new Error(`the origin answered ${response.status}`));
      }
      const notModified = stale !== undefined && response.status === 304;
      if (notModified) response.body.resume();
      const status = notModified ? stale.status : response.status;
      const fromOrigin = notModified
        ? { ...headersAfterNotModified(stale.headers, endToEndHeaders(response.headers)), 'content-length': String(stale.body.length) }
        : endToEndHeaders(response.headers);
      const decision = storageDecision(headers, status, fromOrigin, path, config.cachePolicy, exchangeContext(requested, received, this.deps.negativeTtlSeconds));
      // Not shareable: the next requests pass rather than queue. An origin error is not
      // remembered: coalescing is what shields a struggling origin.
      if (decision.ttlSeconds === 0 && !decision.storedToRevalidate && status < 500) {
        this.passMemory.mark(fill.key, config.endpointId, path, received, passSecondsFor(fromOrigin));
      }
      // Surrogate-Control is this edge's, not the client's; CDN-Cache-Control goes on downstream (RFC 9213 §3).
      // Age becomes the initial age (RFC 9111 §4.2.3); a hit adds its time in the cache to it.
      // Tag headers are the edge's too: their tags are kept apart (a 304 without any keeps the stored ones).
      const tags = tagsOf(fromOrigin, this.deps.tagHeaders) ?? (notModified ? stale.tags : undefined);
      running.tags = tags ?? [];
      const originHeaders = withoutHeaders(fromOrigin, this.deps.hidden);
      originHeaders['age'] = String(decision.initialAgeSeconds);
      const sharedHeaders = withoutHeaders(originHeaders, ['set-cookie']);
      const declared = Number(originHeaders['content-length']);
      const keep = (decision.ttlSeconds > 0 || decision.storedToRevalidate === true) && !(declared > cache.maxObjectBytes);
      // A length not declared may still reach the compression threshold: Vary too broad is harmless, missing is not.
      const compressible = keep && mayCompress(status, originHeaders, Number.isFinite(declared) ? declared : Infinity);
      fill.setHead({ status, headers: originHeaders, sharedHeaders, ttlSeconds: decision.ttlSeconds, reason: decision.reason, compressible }, keep, declared);

      let bytes = 0;
      // While the body is kept for the cache, others may join and it is held in memory: an origin
      // that trickles it must not hold them for ever. A body that is not kept is paced by its
      // readers and is theirs to wait for (a stream of events, say).
      const guard = this.guardRate(response);
      try {
        // After a 304 the body is the stored one (§4.3.4).
        for await (const chunk of notModified ? bodyChunks(stale.body) : (response.body as AsyncIterable<Buffer>)) {
          bytes += chunk.length;
          guard.count(chunk.length);
          if (fill.keepingAll && bytes > cache.maxObjectBytes) fill.stopKeeping('too-large');
          fill.push(chunk);
          if (!fill.keepingAll) {
            guard.stop();
            await fill.roomForMore();
          }
          // Abandoned (every client gone, see Fill): the fetch's signal has stopped the body.
          if (fill.abandoned) throw fill.signal.reason;
        }
      } finally {
        guard.stop();
        this.deps.accounting.fetched(served, notModified ? 0 : bytes);
      }
      if (fill.abandoned) throw fill.signal.reason;
      const vary = varyValues(fromOrigin['vary'], client);
      const stored =
        fill.keepingAll &&
        cache.put({
          key: fill.key,
          endpointId: config.endpointId,
          path,
          status,
          headers: withoutHeaders(sharedHeaders, ['content-length']),
          body: fill.takeBody(),
          storedAt: received,
          staleAt: received + decision.ttlSeconds * 1000,
          deleteAt: keepUntil(received + decision.ttlSeconds * 1000, staleRules(sharedHeaders)),
          generation,
          ...(vary && { vary }),
          ...(tags && { tags }),
        });
      fill.finish(stored);
    })()
      .catch((error: unknown) => fill.fail(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        letGoOfStale();
        cache.endFill(generation);
        if (this.running.get(fill.key)?.fill === fill) this.running.delete(fill.key);
      });
  }

  /** A failed revalidation the stale copy answers for: logged, as originFailed would. */
  private staleInstead(endpointId: string, error: Error): StaleInstead {
    this.deps.log.warn({ endpointId, err: error.message }, 'origin fetch failed; serving the stale copy');
    return new StaleInstead(error.message);
  }

  /** Cuts off an origin body that comes more slowly than `originBodyRate` allows, until stopped. */
  private guardRate(response: OriginResponse): BodyRateGuard {
    const limit = this.deps.originBodyRate;
    return new BodyRateGuard(limit, (bytes) => response.body.destroy(new OriginTooSlowError(response.address, bytes, limit)));
  }
}

/**
 * Keeps a stored object's body in the pool (slab-body.ts) while it may yet be read, though the
 * object be evicted meanwhile; returns what lets it go (once, however often it is called).
 */
function holdBody(object: CachedObject | undefined): () => void {
  const body = object?.body;
  if (!(body instanceof SlabBody)) return () => undefined;
  body.acquire();
  let held = true;
  return () => {
    if (held) body.release();
    held = false;
  };
}

/** Resolves when `res` can take more, or has closed; leaves no listener behind. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Whether a fill can answer a Range from its body: a whole 200 of declared length, being stored. */
function servesRanges(fill: Fill, head: FillHead): boolean {
  return head.status === 200 && fill.keepingAll && Number.isSafeInteger(Number(head.headers['content-length'] ?? NaN));
}
