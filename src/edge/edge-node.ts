/**
 * An edge: serves each endpoint's CustomDomain from its origin through the cache, obeying its
 * cache rules and access control, and carries out what the control plane asks through the
 * EdgeAgent interface (configuration, purge, preload).
 *
 * A request meets, in order: host routing (404 unknown, 403 disabled), ForbiddenIps (403),
 * referer control (403), then for GET and HEAD the cache (hit, or a shared fill from the
 * origin), and for other methods a pass-through to the origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { normalizePath, splitTarget } from '../domain/url-path.js';
import type { EdgeAgent } from '../fleet/edge-agent.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../fleet/edge-config.js';

import { cacheKey, type CachedObject, type CacheStore, type HeaderMap } from './cache/cache-store.js';
import { BodyRateGuard, OriginTooSlowError, type BodyRateLimit } from './body-rate.js';
import { CompressedCopies } from './compressed-copies.js';
import { Fill, type FillHead, type FillReader } from './fill.js';
import { FillBudget } from './fill-budget.js';
import { PassMemory, passSecondsFor } from './pass-memory.js';
import { endToEndHeaders, originRequestHeaders, VIA, withoutHeaders } from './http-headers.js';
import { OriginError, statusText, type OriginClient, type OriginResponse } from './origin-client.js';
import { compileAccess, type CompiledAccess } from './policy/access.js';
import { isNotModified } from './policy/conditional.js';
import { storageDecision } from './policy/cookies.js';
import { varyMatches, varyValues, type RequestHeaders } from './policy/vary.js';
import { EDGE_ONLY_FIELDS } from './policy/cache-directives.js';
import { DEFAULT_NEGATIVE_TTL_SECONDS, initialAge, type FreshnessContext } from './policy/freshness.js';
import { invalidatedTargets } from './policy/invalidation.js';
import { resolveRange } from './policy/range.js';
import { conditionalHeaders, headersAfterNotModified, keepUntil, servesOnError, servesWhileRevalidating, staleRules } from './policy/revalidation.js';
import type { Metrics } from '../observability/metrics.js';
import { EndpointMetrics, type EdgeResult, type EndpointCounters } from './endpoint-metrics.js';
import { usableConfig } from './policy/usable-config.js';
import type { TrafficMeter } from './traffic-meter.js';

export interface EdgeNodeOptions {
  readonly id: string;
  readonly cache: CacheStore;
  readonly origin: OriginClient;
  readonly meter: TrafficMeter;
  readonly now: () => number;
  readonly log: Logger;
  /**
   * Metrics to record into. The edge serves no status pages of its own on its listeners (every
   * path of every Host belongs to tenants or is a 404): the API serves them for the process.
   */
  readonly metrics?: Metrics;
  /** How many endpoints get metric series of their own (endpoint-metrics.ts); default 100. */
  readonly endpointSeries?: number;
  /** Where one line per request goes (host, path, status, cache result, bytes, time); none when undefined. */
  readonly accessLog?: Logger;
  /** Bytes fills in progress may hold for the cache (fill-budget.ts). */
  readonly fillBytes: number;
  /** The slowest an origin may send a body (body-rate.ts). */
  readonly originBodyRate: BodyRateLimit;
  /** The most a cache rule keeps a 404 or 410 (policy/freshness.ts); default 10. */
  readonly negativeTtlSeconds?: number;
}

/** As nginx's default buffers allow: longer targets are attacks or mistakes, never content. */
const MAX_TARGET_LENGTH = 8192;

interface Served {
  readonly config: EdgeEndpointConfig;
  readonly access: CompiledAccess;
  readonly secureContext: SecureContext | undefined;
  readonly counters: EndpointCounters | undefined;
}

/** A response whose cache result the access log reads when it closes. */
type Logged = ServerResponse & { edgeResult?: EdgeResult };

/** A fill under way, which requests that miss on its key join. */
interface RunningFill {
  readonly fill: Fill;
  readonly endpointId: string;
  /** Normalised path, so that a purge can tell which fills it covers. */
  readonly path: string;
  /** What the fill asked the origin, which a joining request must match on the response's Vary. */
  readonly request: Readonly<Record<string, string>>;
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

/** The bytes one response sends, for the meter. */
interface Counted {
  bytes: number;
}

export class EdgeNode implements EdgeAgent {
  readonly id: string;
  private readonly byId = new Map<string, Served>();
  private readonly byDomain = new Map<string, Served>();
  private readonly fills = new Map<string, RunningFill>();
  private readonly fillBudget: FillBudget;
  /** Keys whose answers could not be shared lately: their requests pass (hit-for-pass). */
  private readonly passMemory = new PassMemory();
  /** gzip and br copies of cached text for the hits that accept them. */
  private readonly copies: CompressedCopies;

  /** The request counter per result, resolved once (labelling on every request costs more). */
  private readonly results: Record<EdgeResult, { inc(): void }> | undefined;
  private readonly endpointMetrics: EndpointMetrics | undefined;
  private readonly accessLog: Logger | undefined;

  constructor(private readonly options: EdgeNodeOptions) {
    this.id = options.id;
    this.accessLog = options.accessLog;
    this.endpointMetrics = options.metrics && new EndpointMetrics(options.metrics, options.endpointSeries ?? 100);
    this.fillBudget = new FillBudget(options.fillBytes);
    this.copies = new CompressedCopies(options.cache, (error) => options.log.warn({ err: error }, 'compressing a cached object failed'));
    const counter = options.metrics?.edgeRequests;
    this.results = counter && {
      HIT: counter.labels('HIT'),
      MISS: counter.labels('MISS'),
      PASS: counter.labels('PASS'),
      REFUSED: counter.labels('REFUSED'),
      ERROR: counter.labels('ERROR'),
    };
  }

  /** Bytes that fills in progress hold for the cache now, against `fillBytes`. */
  get heldFillBytes(): number {
    return this.fillBudget.held;
  }

  /** Clients attached to fills in progress now (waiting for a head or streaming a body). */
  get fillClients(): number {
    let clients = 0;
    for (const running of this.fills.values()) clients += running.fill.readerCount;
    return clients;
  }

  // ---- EdgeAgent: what the control plane asks -------------------------------------------

  async applyEndpoint(received: EdgeEndpointConfig): Promise<void> {
    const { config, ignored } = usableConfig(received);
    for (const setting of ignored) this.options.log.warn({ endpointId: config.endpointId, ignored: setting }, 'left out a setting the edge cannot use');
    const secureContext = config.certificate
      ? createSecureContext({ cert: config.certificate.certificatePem, key: config.certificate.privateKeyPem })
      : undefined;
    const counters = this.endpointMetrics?.countersFor(config.endpointId, config.customDomain);
    const served: Served = { config, access: compileAccess(config.accessControl), secureContext, counters };
    const previous = this.byId.get(config.endpointId);
    if (previous && previous.config.customDomain !== config.customDomain) this.byDomain.delete(previous.config.customDomain);
    this.byId.set(config.endpointId, served);
    this.byDomain.set(config.customDomain, served);
    // New cache rules may make shareable what was not.
    this.passMemory.forgetCovered(config.endpointId, () => true);
  }

  async removeEndpoint(endpointId: string): Promise<void> {
    const served = this.byId.get(endpointId);
    if (served && this.byDomain.get(served.config.customDomain) === served) this.byDomain.delete(served.config.customDomain);
    this.byId.delete(endpointId);
    this.endpointMetrics?.forget(endpointId);
    this.options.cache.purgeEndpoint(endpointId);
    this.forgetFills(endpointId, () => true);
  }

  async purge(endpointId: string, target: PurgeTarget): Promise<void> {
    for (const file of target.files) this.options.cache.purgeFile(endpointId, file);
    for (const directory of target.directories) this.options.cache.purgeDirectory(endpointId, directory);
    this.forgetFills(endpointId, (path) => target.files.includes(path) || target.directories.some((directory) => path.startsWith(directory)));
  }

  /**
   * Fills under way that a purge covers: the store will refuse what they bring (its
   * generation is older than the purge), and no request may join them from now on, or it
   * would get the content from before the purge. Their readers so far still get it whole.
   */
  private forgetFills(endpointId: string, covered: (path: string) => boolean): void {
    for (const [key, running] of this.fills) {
      if (running.endpointId === endpointId && covered(running.path)) this.fills.delete(key);
    }
    // What was learnt about the content before the purge no longer holds.
    this.passMemory.forgetCovered(endpointId, covered);
  }

  async preload(endpointId: string, target: PreloadTarget): Promise<void> {
    const served = this.byId.get(endpointId);
    if (!served) throw new Error('the endpoint is not configured on this edge');
    const query = served.config.cachePolicy.ignoreQueryString ? '' : target.query;
    const key = cacheKey(endpointId, target.path, query);
    const originTarget = target.query ? `${target.path}?${target.query}` : target.path;
    // Always a fetch of its own: a fill already under way may have started before a purge.
    const fill = new Fill(key, this.fillBudget, true);
    this.runFill(served, fill, target.path, originTarget, originRequestHeaders({}, '127.0.0.1', true), {});
    await fill.whenSettled();
    // Abandoned after the head: the body would not be stored; the head says why.
    if (fill.error && !(fill.abandoned && fill.head)) throw new Error(fill.error.message);
    const head = fill.head!;
    if (head.status < 200 || head.status > 299) throw new Error(`the origin answered ${head.status} ${statusText(head.status)}`.trim());
    if (head.ttlSeconds > 0 && fill.notKeptBecause === 'fill-budget') {
      throw new Error('the edge is already holding as much as it may for downloads in progress; try again later');
    }
    if (head.ttlSeconds > 0 && !fill.keepingAll) {
      throw new Error(`the origin's response cannot be cached: it is larger than the maximum object size (${this.options.cache.maxObjectBytes} bytes)`);
    }
    if (!fill.stored) throw new Error(`the origin's response cannot be cached: ${head.reason}`);
  }

  /** The certificate bound to a domain, for TLS by SNI. */
  secureContextFor(servername: string): SecureContext | undefined {
    return this.byDomain.get(servername.toLowerCase().replace(/\.$/, ''))?.secureContext;
  }

  // ---- HTTP: what clients ask -----------------------------------------------------------

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const host = String(req.headers.host ?? '')
      .toLowerCase()
      .replace(/:\d+$/, '')
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    if (this.accessLog) this.logWhenClosed(req, res, host);
    const served = this.byDomain.get(host);
    if (!served) return this.refuse(res, undefined, 404, `No endpoint serves the host "${host}".`);
    const { config, access } = served;
    if (!config.enabled) return this.refuse(res, served, 403, 'This endpoint is disabled.');
    const clientIp = req.socket.remoteAddress ?? '';
    if (access.ipBlocked(clientIp)) return this.refuse(res, served, 403, 'Access from your address is not allowed.');

    const url = req.url ?? '/';
    if (url.length > MAX_TARGET_LENGTH) return this.refuse(res, served, 414, `The request target is longer than ${MAX_TARGET_LENGTH} bytes.`);
    const requested = splitTarget(url);
    const resolved = requested.path.startsWith('/') ? asOriginSees(requested.path, requested.query) : undefined;
    if (!resolved) return this.refuse(res, served, 400, 'The request target must be a path.');
    const { path: rawPath, query } = resolved;
    const path = normalizePath(rawPath);
    const referer = req.headers.referer;
    if (!access.refererAllowed(pathAsFiled(path), Array.isArray(referer) ? referer[0] : referer)) {
      return this.refuse(res, served, 403, 'Access from this referring page is not allowed.');
    }

    // The origin gets the path in the form the cache key and purges use, so that what is stored
    // under a key is what the origin serves for that key ("//a.png" is fetched as "/a.png").
    const target = query ? `${path}?${query}` : path;
    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers.authorization === undefined) {
      this.serveFromCache(served, req, res, path, query, target, clientIp);
    } else {
      void this.pass(served, req, res, target, clientIp);
    }
  };

  private serveFromCache(served: Served, req: IncomingMessage, res: ServerResponse, path: string, query: string, target: string, clientIp: string): void {
    const { config } = served;
    const key = cacheKey(config.endpointId, path, config.cachePolicy.ignoreQueryString ? '' : query);
    const now = this.options.now();
    // The stored variant this request's headers select (RFC 9111 §4.1), fresh or stale.
    const cached = this.options.cache.get(key, now, req.headers);
    if (cached && !cached.stale) return this.sendCached(served, req, res, cached.object, now);
    // Stale (RFC 9111 §4.3): the fill revalidates it; within stale-while-revalidate it is served
    // at once and revalidated in the background, one revalidation per key (RFC 5861 §3).
    const stale = cached?.object;
    if (stale && servesWhileRevalidating(staleRules(stale.headers), stale.staleAt, now)) {
      if (!this.fills.has(key)) {
        // A preload's kind of fill: no client reads it, it goes on while its body is kept.
        this.runFill(served, new Fill(key, this.fillBudget, true), path, target, originRequestHeaders(req.headers, clientIp, true), req.headers, stale);
      }
      return this.sendCached(served, req, res, stale, now);
    }

    // Lately not shareable: straight to the origin, no queue behind one fill (hit-for-pass).
    if (this.passMemory.passes(key, now)) return void this.pass(served, req, res, target, clientIp, { key, path });
    const running = this.fills.get(key);
    const request = originRequestHeaders(req.headers, clientIp, true);
    const passAlone = () => void this.pass(served, req, res, target, clientIp);
    if (running) {
      const join: Joining = { shares: (head) => head.ttlSeconds > 0 && varyMatches(head.headers['vary'], running.request, request), passAlone };
      if (!this.readFill(served, req, res, running.fill, join, false, stale)) passAlone();
      return;
    }
    const fill = new Fill(key, this.fillBudget);
    this.readFill(served, req, res, fill, { shares: () => true, passAlone }, true, stale);
    this.runFill(served, fill, path, target, request, req.headers, stale);
  }

  /** A cached response: 304 for a matching conditional, 206/416 for a range, else 200. */
  private sendCached(served: Served, req: IncomingMessage, res: ServerResponse, object: CachedObject, now: number): void {
    this.count(res, served, 'HIT');
    const age = Math.floor((now - object.storedAt) / 1000) + (Number(object.headers['age']) || 0);
    // The stored object, or its gzip or br copy for a client that accepts one (compressed-copies.ts).
    const sending = this.copies.representation(req.headers, object);
    const headers: HeaderMap = { ...sending.headers, age: String(age), 'x-cache': 'HIT', via: VIA };
    // RFC 9110 §13.2.1: preconditions apply only to what would otherwise be a 2xx.
    if (object.status >= 200 && object.status < 300 && isNotModified(req.headers, sending.headers)) {
      res.writeHead(304, withoutHeaders(headers, ['content-length', 'content-type']));
      res.end();
      return;
    }
    const size = sending.body.length;
    // A compressed copy is never sent for a Range (the Range is served from identity).
    const range = object.status === 200 && !sending.encoding ? resolveRange(req.headers, size, object.headers) : ({ kind: 'whole' } as const);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...withoutHeaders(headers, ['content-type']), 'content-range': `bytes */${size}`, 'content-length': '0' });
      res.end();
      return;
    }
    const body = range.kind === 'partial' ? sending.body.subarray(range.start, range.end + 1) : sending.body;
    const status = range.kind === 'partial' ? 206 : object.status;
    res.writeHead(status, {
      ...headers,
      'accept-ranges': sending.encoding ? 'none' : 'bytes',
      'content-length': String(body.length),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else {
      // Counted as sent at once: a body from memory goes out whole unless the client leaves.
      this.sent(served, body.length);
      res.end(body);
    }
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
    const counted = this.meterResponse(served, res);
    const head = req.method === 'HEAD';
    const ranged = !head && req.headers.range !== undefined;
    /** The part of the body this client asked for, and how far the fill has come. */
    let window: { readonly start: number; readonly end: number; at: number } | undefined;
    // The client's own conditional matched what came: it gets a 304 and no body.
    let notModified = false;
    const reader: FillReader = {
      get wantsBody() {
        return !head && !notModified;
      },
      shares: (h) => (first || join.shares(h)) && (!ranged || servesRanges(fill, h)),
      notShared: join.passAlone,
      // A reader gets the head once, whether it came before or after the origin answered.
      head: (h: FillHead) => {
        this.count(res, served, h.ttlSeconds > 0 ? 'MISS' : 'PASS');
        // Age is in the head already: the response's initial age (runFill).
        const headers = { ...(first ? h.headers : h.sharedHeaders), 'x-cache': 'MISS', via: VIA };
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
        if (!head && !res.writableEnded) res.end();
      },
      error: (error) => {
        if (res.headersSent) res.destroy(error);
        else if (error instanceof StaleInstead && stale) this.sendCached(served, req, res, stale, this.options.now());
        else this.originFailed(served, res, error);
      },
      backlog: () => (res.writableNeedDrain && !res.destroyed ? drained(res) : undefined),
    };
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
    this.fills.set(fill.key, { fill, endpointId: served.config.endpointId, path, request: headers });
    // An abandoned fill is no longer joined: the next request for the key starts its own.
    fill.signal.addEventListener('abort', () => this.fills.get(fill.key)?.fill === fill && this.fills.delete(fill.key), { once: true });
    const { cache, now } = this.options;
    const { config } = served;
    const generation = cache.beginFill();
    void (async () => {
      const requested = now();
      const rules = stale && staleRules(stale.headers);
      const sent = stale ? { ...headers, ...conditionalHeaders(stale.headers) } : headers;
      let response: OriginResponse;
      try {
        response = await this.timedFetch({ method: 'GET', target, addresses: config.originAddresses, host: config.host, headers: sent, signal: fill.signal });
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
      const decision = storageDecision(headers, status, fromOrigin, path, config.cachePolicy, this.freshnessContext(requested, received));
      // Not shareable: the next requests pass rather than queue. An origin error is not
      // remembered: coalescing is what shields a struggling origin.
      if (decision.ttlSeconds === 0 && !decision.storedToRevalidate && status < 500) {
        this.passMemory.mark(fill.key, config.endpointId, path, received, passSecondsFor(fromOrigin));
      }
      // Surrogate-Control is this edge's, not the client's; CDN-Cache-Control goes on downstream (RFC 9213 §3).
      // Age becomes the initial age (RFC 9111 §4.2.3); a hit adds its time in the cache to it.
      const originHeaders = withoutHeaders(fromOrigin, EDGE_ONLY_FIELDS);
      originHeaders['age'] = String(decision.initialAgeSeconds);
      const sharedHeaders = withoutHeaders(originHeaders, ['set-cookie']);
      const declared = Number(originHeaders['content-length']);
      const keep = (decision.ttlSeconds > 0 || decision.storedToRevalidate === true) && !(declared > cache.maxObjectBytes);
      fill.setHead({ status, headers: originHeaders, sharedHeaders, ttlSeconds: decision.ttlSeconds, reason: decision.reason }, keep, declared);

      let bytes = 0;
      // While the body is kept for the cache, others may join and it is held in memory: an origin
      // that trickles it must not hold them for ever. A body that is not kept is paced by its
      // readers and is theirs to wait for (a stream of events, say).
      const guard = this.guardRate(response);
      try {
        // After a 304 the body is the stored one (§4.3.4).
        for await (const chunk of notModified ? [stale.body] : (response.body as AsyncIterable<Buffer>)) {
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
        this.fetched(config.endpointId, notModified ? 0 : bytes);
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
          body: fill.body(),
          storedAt: received,
          staleAt: received + decision.ttlSeconds * 1000,
          deleteAt: keepUntil(received + decision.ttlSeconds * 1000, staleRules(sharedHeaders)),
          generation,
          ...(vary && { vary }),
        });
      fill.finish(stored);
    })()
      .catch((error: unknown) => fill.fail(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        cache.endFill(generation);
        if (this.fills.get(fill.key)?.fill === fill) this.fills.delete(fill.key);
      });
  }

  /**
   * Any other method, or a request that cannot share a fill: straight to the origin. `marked`:
   * the request passed because its key was remembered as not shareable; an answer that is
   * shareable again forgets that, so the next request fills the cache (Varnish's hit-for-miss).
   */
  private async pass(served: Served, req: IncomingMessage, res: ServerResponse, target: string, clientIp: string, marked?: { key: string; path: string }): Promise<void> {
    const { config } = served;
    const counted = this.meterResponse(served, res);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let originBytes = 0;
    try {
      const requested = this.options.now();
      const response = await this.timedFetch({
        method: req.method ?? 'GET',
        target,
        addresses: config.originAddresses,
        host: config.host,
        headers: originRequestHeaders(req.headers, clientIp, false),
        ...(hasBody ? { body: req } : {}),
      });
      const received = this.options.now();
      this.count(res, served, 'PASS');
      const fromOrigin = endToEndHeaders(response.headers);
      const decision = marked && storageDecision(req.headers, response.status, fromOrigin, marked.path, config.cachePolicy, this.freshnessContext(requested, received));
      if (marked && decision && (decision.ttlSeconds > 0 || decision.storedToRevalidate)) {
        this.passMemory.forget(marked.key);
      }
      const headers = withoutHeaders(fromOrigin, EDGE_ONLY_FIELDS);
      this.invalidate(served, invalidatedTargets(req.method ?? 'GET', response.status, config.customDomain, target, headers));
      res.writeHead(response.status, { ...headers, 'x-cache': 'MISS', age: String(initialAge(headers, requested, received)), via: VIA });
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        originBytes += chunk.length;
        // The client has gone: stop taking the body from the origin.
        if (res.destroyed) break;
        if (req.method === 'HEAD') continue;
        counted.bytes += chunk.length;
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    } catch (error) {
      if (res.headersSent) res.destroy(error as Error);
      else this.originFailed(served, res, error as Error);
    } finally {
      this.fetched(config.endpointId, originBytes);
    }
  }

  /**
   * RFC 9111 §4.4: drops what is stored (or being filled) for targets an unsafe request changed.
   * Only keys that hold something: a purge record for every URL ever POSTed to would only grow.
   */
  private invalidate(served: Served, targets: readonly { path: string; query: string }[]): void {
    const { endpointId, cachePolicy } = served.config;
    const now = this.options.now();
    for (const target of targets) {
      const path = normalizePath(target.path);
      const key = cacheKey(endpointId, path, cachePolicy.ignoreQueryString ? '' : target.query);
      if (this.fills.has(key) || this.options.cache.get(key, now)) void this.purge(endpointId, { files: [path], directories: [] });
    }
  }

  /** A failed revalidation the stale copy answers for: logged, as originFailed would. */
  private staleInstead(endpointId: string, error: Error): StaleInstead {
    this.options.log.warn({ endpointId, err: error.message }, 'origin fetch failed; serving the stale copy');
    return new StaleInstead(error.message);
  }

  /** When an origin exchange happened, for its age and freshness (RFC 9111 §4.2.3). */
  private freshnessContext(requestTime: number, responseTime: number): FreshnessContext {
    return { requestTime, responseTime, negativeTtlSeconds: this.options.negativeTtlSeconds ?? DEFAULT_NEGATIVE_TTL_SECONDS };
  }

  /** Cuts off an origin body that comes more slowly than `originBodyRate` allows, until stopped. */
  private guardRate(response: OriginResponse): BodyRateGuard {
    const limit = this.options.originBodyRate;
    return new BodyRateGuard(limit, (bytes) => response.body.destroy(new OriginTooSlowError(response.address, bytes, limit)));
  }

  private originFailed(served: Served, res: ServerResponse, error: Error): void {
    const status = error instanceof OriginError ? error.status : 502;
    if (error instanceof OriginError && error.deniedByPolicy) {
      // The operator's log names the addresses; the client learns nothing of the network.
      this.options.log.warn({ endpointId: served.config.endpointId, err: error.message, denied: error.denials }, 'origin address denied by the origin policy');
      return this.refuse(res, served, 502, "The origin address is not allowed by this edge's origin policy.");
    }
    this.options.log.warn({ endpointId: served.config.endpointId, err: error.message }, 'origin fetch failed');
    this.refuse(res, served, status, status === 504 ? 'The origin did not answer in time.' : 'The origin could not be reached.');
  }

  private refuse(res: ServerResponse, served: Served | undefined, status: number, message: string): void {
    this.count(res, served, status >= 500 ? 'ERROR' : 'REFUSED');
    const body = `${message}\n`;
    if (served) this.sent(served, Buffer.byteLength(body));
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-cache': 'MISS',
      age: '0',
      via: VIA,
    });
    res.end(body);
  }

  /** Counts what a streamed response sends and reports it to the meter when it is done. */
  private meterResponse(served: Served, res: ServerResponse): Counted {
    const counted: Counted = { bytes: 0 };
    res.once('close', () => this.sent(served, counted.bytes));
    return counted;
  }

  /** Bytes sent to a client: for the traffic meter and the metrics. */
  private sent(served: Served, bytes: number): void {
    this.options.meter.add(served.config.endpointId, bytes, 0);
    this.options.metrics?.edgeBytesSent.inc(bytes);
    served.counters?.sent.inc(bytes);
  }

  /** Bytes taken from an origin: for the traffic meter and the metrics. */
  private fetched(endpointId: string, bytes: number): void {
    this.options.meter.add(endpointId, 0, bytes);
    this.options.metrics?.edgeOriginBytes.inc(bytes);
    this.byId.get(endpointId)?.counters?.fetched.inc(bytes);
  }

  private count(res: ServerResponse, served: Served | undefined, result: EdgeResult): void {
    this.results?.[result].inc();
    served?.counters?.requests[result].inc();
    if (this.accessLog) (res as Logged).edgeResult = result;
  }

  /**
   * One access log line when the response closes. Bytes are what went to the client's socket
   * for it, headers included (nginx's $bytes_sent); `complete` is false when the client left or
   * the connection was cut before the end.
   */
  private logWhenClosed(req: IncomingMessage, res: ServerResponse, host: string): void {
    const started = performance.now();
    const socket = req.socket;
    const before = socket.bytesWritten;
    res.once('close', () => {
      this.accessLog!.info(
        {
          host,
          method: req.method,
          path: (req.url ?? '').slice(0, 2048),
          status: res.statusCode,
          cache: (res as Logged).edgeResult ?? 'ERROR',
          bytes: socket.bytesWritten - before,
          ms: Math.round((performance.now() - started) * 10) / 10,
          client: socket.remoteAddress,
          complete: res.writableFinished,
        },
        'edge request',
      );
    });
  }

  /** An origin fetch, timed to its response headers. */
  private async timedFetch(request: Parameters<OriginClient['fetch']>[0]) {
    const started = performance.now();
    const histogram = this.options.metrics?.originFetchDuration;
    try {
      const response = await this.options.origin.fetch(request);
      histogram?.observe({ outcome: response.status >= 500 ? '5xx' : 'ok' }, (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      histogram?.observe({ outcome: 'failed' }, (performance.now() - started) / 1000);
      throw error;
    }
  }
}

/**
 * The path and query as the origin will get them. The origin client parses its URL the WHATWG
 * way, which resolves "." and ".." segments (%2e included) and reads "\" as "/"; the cache key
 * and referer control must see that same path, or "/x/../img/a.png" would be checked as
 * something other than the "/img/a.png" the origin serves.
 */
function asOriginSees(path: string, query: string): { path: string; query: string } | undefined {
  // Only dot segments ("/." in any encoding) and backslashes change under WHATWG parsing.
  if (!/\/(\.|%2e)|\\/i.test(path)) return { path, query };
  try {
    const url = new URL(`http://edge.invalid${path}${query ? `?${query}` : ''}`);
    return { path: url.pathname, query: url.search.slice(1) };
  } catch {
    return undefined;
  }
}

/**
 * The path as a file system behind the origin would read it, for referer control: many origins
 * decode "%2F", so "/img%2Fa.png" is the "/img/a.png" a "/img/*" pattern protects (the path is
 * normal already: "//" merged, escapes upper-cased).
 */
function pathAsFiled(path: string): string {
  return path.includes('%2F') ? path.replace(/%2F/g, '/').replace(/\/{2,}/g, '/') : path;
}

/** Resolves when `res` can take more, or has closed; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
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
