/**
 * An edge: serves each endpoint's CustomDomain from its origin through the cache, obeying its
 * cache rules and access control, and carries out what the control plane asks through the
 * EdgeAgent interface (configuration, purge, preload).
 *
 * A request meets, in order: host routing (404 unknown, 403 disabled), ForbiddenIps (403),
 * referer control (403), then for GET and HEAD the cache (a stored copy delivered here, or a
 * miss handed to the fill registry, fill-registry.ts), and for other methods a pass-through to
 * the origin. What each exchange records is edge-accounting.ts's; what a request names,
 * request-target.ts's; when and how long to store, policy/'s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { normalizePath } from '../domain/url-path.js';
import type { EdgeAgent } from '../fleet/edge-agent.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeSet, PurgeTarget } from '../operations/edge-config.js';
import { compilePattern, matchesPattern } from '../domain/path-pattern.js';
import type { Metrics } from '../observability/metrics.js';
import type { BodyRateLimit } from './body-rate.js';
import { cacheKey, FileBody, type Body, type CachedObject, type CacheStore, type HeaderMap } from './cache/cache-store.js';
import { openBody, readBody, streamBody } from './cache/file-body.js';
import type { FileLease } from './cache/open-files.js';
import { SlabBody } from './cache/slab-body.js';
import { SlabPool } from './cache/slab-pool.js';
import { CompressedCopies, type Representation } from './compressed-copies.js';
import { EdgeAccounting } from './edge-accounting.js';
import { drained, FillRegistry } from './fill-registry.js';
import { endToEndHeaders, originRequestHeaders, VIA, withoutHeaders } from './http-headers.js';
import { OriginError, statusText, type OriginClient } from './origin-client.js';
import { compileAccess } from './policy/access.js';
import { EDGE_ONLY_FIELDS } from './policy/cache-directives.js';
import { DEFAULT_TAG_HEADERS } from './policy/cache-tags.js';
import { isNotModified } from './policy/conditional.js';
import { storageDecision } from './policy/cookies.js';
import { exchangeContext, initialAge } from './policy/freshness.js';
import { invalidatedTargets, type InvalidatedTarget } from './policy/invalidation.js';
import { resolveRange } from './policy/range.js';
import { sendSlab } from './send-slab.js';
import { usableConfig } from './policy/usable-config.js';
import { pathAsFiled, requestHost, requestTarget } from './request-target.js';
import type { Served } from './served.js';
import type { TrafficMeter } from './traffic-meter.js';

/** Bodies (or ranges) from the disk tier up to this size are read in one go rather than streamed. */
const READ_WHOLE_BYTES = 2 * 1024 * 1024;

/**
 * The memory those reads go into, reused from hit to hit (a new 1 MiB buffer per hit cost a
 * mmap, page faults, zeroing and a full collection every few hits: BENCHMARKS.md); held by each
 * response until it is sent. Past it, a read gets a buffer of its own.
 */
const DISK_READ_POOL_BYTES = 16 * 1024 * 1024;
const DISK_READ_CHUNK_BYTES = 64 * 1024;
const DISK_READ_SLAB_BYTES = 2 * 1024 * 1024;

/** Header fields a hit sets itself, whatever the stored response had. */
const REPLACED_ON_HITS = new Set(['age', 'x-cache', 'via', 'accept-ranges', 'content-length']);

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
  /** The response headers that carry cache tags, lower case (policy/cache-tags.ts); Cache-Tag unless given. */
  readonly tagHeaders?: readonly string[];
  /**
   * Told of the targets an unsafe request invalidated here (RFC 9111 §4.4), so the other
   * processes of an edge with workers drop them too (invalidateFromElsewhere).
   */
  readonly onInvalidate?: (endpointId: string, targets: readonly InvalidatedTarget[]) => void;
}

export class EdgeNode implements EdgeAgent {
  readonly id: string;
  private readonly byId = new Map<string, Served>();
  private readonly byDomain = new Map<string, Served>();
  /** The meter, metrics, origin fetch times and access log of every exchange. */
  private readonly accounting: EdgeAccounting;
  /** Fills under way, coalescing and hit-for-pass. */
  private readonly fills: FillRegistry;
  /** gzip and br copies of cached text for the hits that accept them. */
  private readonly copies: CompressedCopies;
  /** Header lists of whole hits, per stored representation (hitHeaders). */
  private readonly preparedHits = new WeakMap<Representation, string[]>();
  /** Where bodies read from the disk tier are put to be sent (DISK_READ_POOL_BYTES). */
  private readonly diskReads = new SlabPool(DISK_READ_POOL_BYTES, DISK_READ_CHUNK_BYTES, DISK_READ_SLAB_BYTES);
  /** Fields of an origin response never sent on to clients: the edge's own directives and the tag headers. */
  private readonly hidden: readonly string[];
  /**
   * Until when (performance.now()) the edge may answer from its cache: for ever in the embedded
   * shape; in the scaled one, the lease its fleet link holds (fleet/nats/edge-link.ts). Past
   * it, requests pass to the origin: what a cut-off edge has cached may have been purged.
   */
  cacheUntil = Infinity;

  constructor(private readonly options: EdgeNodeOptions) {
    this.id = options.id;
    const { meter, origin, metrics, endpointSeries, accessLog } = options;
    this.accounting = new EdgeAccounting({ meter, origin, ...(metrics && { metrics }), ...(endpointSeries !== undefined && { endpointSeries }), ...(accessLog && { accessLog }) });
    const tagHeaders = options.tagHeaders ?? DEFAULT_TAG_HEADERS;
    this.hidden = [...EDGE_ONLY_FIELDS, ...tagHeaders];
    this.copies = new CompressedCopies(options.cache, (error) => options.log.warn({ err: error }, 'compressing a cached object failed'));
    this.fills = new FillRegistry({
      cache: options.cache,
      now: options.now,
      log: options.log,
      accounting: this.accounting,
      fillBytes: options.fillBytes,
      originBodyRate: options.originBodyRate,
      negativeTtlSeconds: options.negativeTtlSeconds,
      tagHeaders,
      hidden: this.hidden,
      deliverStored: (served, req, res, object, now) => this.sendCached(served, req, res, object, now),
      pass: (served, req, res, target, clientIp, marked) => void this.pass(served, req, res, target, clientIp, marked),
      originFailed: (served, res, error) => this.originFailed(served, res, error),
    });
  }

  /** Bytes that fills in progress hold for the cache now, against `fillBytes`. */
  get heldFillBytes(): number {
    return this.fills.heldBytes;
  }

  /** Bytes of the disk-read pool held now by hits being sent (DISK_READ_POOL_BYTES). */
  get heldDiskReadBytes(): number {
    return this.diskReads.usedBytes;
  }

  /** Clients attached to fills in progress now (waiting for a head or streaming a body). */
  get fillClients(): number {
    return this.fills.clients;
  }

  // ---- EdgeAgent: what the control plane asks -------------------------------------------

  async applyEndpoint(received: EdgeEndpointConfig): Promise<void> {
    const { config, ignored } = usableConfig(received);
    for (const setting of ignored) this.options.log.warn({ endpointId: config.endpointId, ignored: setting }, 'left out a setting the edge cannot use');
    const secureContext = config.certificate
      ? createSecureContext({ cert: config.certificate.certificatePem, key: config.certificate.privateKeyPem })
      : undefined;
    const counters = this.accounting.countersFor(config.endpointId, config.customDomain);
    const served: Served = { config, access: compileAccess(config.accessControl), secureContext, counters };
    const previous = this.byId.get(config.endpointId);
    if (previous && previous.config.customDomain !== config.customDomain) this.byDomain.delete(previous.config.customDomain);
    this.byId.set(config.endpointId, served);
    this.byDomain.set(config.customDomain, served);
    // New cache rules may make shareable what was not.
    this.fills.settingsChanged(config.endpointId);
  }

  /** Every endpoint this edge serves, by id. */
  endpointIds(): string[] {
    return [...this.byId.keys()];
  }

  async removeEndpoint(endpointId: string): Promise<void> {
    const served = this.byId.get(endpointId);
    if (served && this.byDomain.get(served.config.customDomain) === served) this.byDomain.delete(served.config.customDomain);
    this.byId.delete(endpointId);
    this.accounting.forget(endpointId);
    this.options.cache.purgeEndpoint(endpointId);
    this.fills.forget(endpointId, () => true);
  }

  /**
   * Drops everything cached, of every endpoint, and the fills under way: for an owner that
   * cannot tell what was purged while this edge was not listening (a fleet resync).
   */
  dropCache(): void {
    this.options.cache.purgeAll();
    this.fills.forgetAll();
  }

  /** Drops what the target names, and marks stale what its soft part names (extension). */
  async purge(endpointId: string, target: PurgeTarget): Promise<void> {
    this.purgeSet(endpointId, target, undefined);
    if (target.soft) this.purgeSet(endpointId, target.soft, this.options.now());
  }

  /**
   * One part of a purge. Fills under way that it covers are not joined any more, soft or not:
   * what they bring is from before the purge (the store refuses it, or keeps it stale). A fill
   * whose head has not come yet has unknown tags, so a tag purge covers it.
   */
  private purgeSet(endpointId: string, set: PurgeSet, softAt: number | undefined): void {
    const { cache } = this.options;
    const tags = set.tags ?? [];
    for (const file of set.files) cache.purgeFile(endpointId, file, softAt);
    for (const directory of set.directories) cache.purgeDirectory(endpointId, directory, softAt);
    for (const pattern of set.patterns) cache.purgePattern(endpointId, pattern, softAt);
    for (const tag of tags) cache.purgeTag(endpointId, tag, softAt);
    const patterns = set.patterns.map(compilePattern);
    this.fills.forget(
      endpointId,
      (path, fillTags) =>
        set.files.includes(path) ||
        set.directories.some((directory) => path.startsWith(directory)) ||
        patterns.some((pattern) => matchesPattern(pattern, path)) ||
        (tags.length > 0 && (fillTags === undefined || tags.some((tag) => fillTags.includes(tag)))),
    );
  }


  async preload(endpointId: string, target: PreloadTarget): Promise<void> {
    const served = this.byId.get(endpointId);
    if (!served) throw new Error('the endpoint is not configured on this edge');
    const query = served.config.cachePolicy.ignoreQueryString ? '' : target.query;
    const key = cacheKey(endpointId, target.path, query);
    const originTarget = target.query ? `${target.path}?${target.query}` : target.path;
    const fill = await this.fills.preload(served, key, target.path, originTarget);
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
    return this.byDomain.get(requestHost(servername))?.secureContext;
  }

  // ---- HTTP: what clients ask -----------------------------------------------------------

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    // The Host as sent is almost always the domain as configured: one lookup, no normalising.
    const sent = req.headers.host;
    const direct = sent === undefined ? undefined : this.byDomain.get(sent);
    const host = direct ? sent! : requestHost(sent);
    this.accounting.logWhenClosed(req, res, host);
    const served = direct ?? this.byDomain.get(host);
    if (!served) return this.refuse(res, undefined, 404, `No endpoint serves the host "${host}".`);
    const { config, access } = served;
    if (!config.enabled) return this.refuse(res, served, 403, 'This endpoint is disabled.');
    const clientIp = req.socket.remoteAddress ?? '';
    if (access.ipBlocked(clientIp)) return this.refuse(res, served, 403, 'Access from your address is not allowed.');
    const named = requestTarget(req.url ?? '/');
    if ('refused' in named) return this.refuse(res, served, named.refused, named.message);
    const { path, query, target } = named;
    const referer = req.headers.referer;
    if (!access.refererAllowed(pathAsFiled(path), Array.isArray(referer) ? referer[0] : referer)) {
      return this.refuse(res, served, 403, 'Access from this referring page is not allowed.');
    }

    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers.authorization === undefined && performance.now() < this.cacheUntil) {
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
    // A file found cut short is dropped and the request served as a miss.
    const miss = () => this.fills.serve(served, req, res, key, path, target, clientIp, undefined, now);
    if (cached && !cached.stale) return this.sendCached(served, req, res, cached.object, now, miss);
    this.fills.serve(served, req, res, key, path, target, clientIp, cached?.object, now);
  }

  /**
   * The header list of a whole hit on a stored representation, built once per representation
   * and kept while it is (WeakMap): what a hit sends, Age last (its value is the hit's to set).
   */
  private hitHeaders(sending: Representation): string[] {
    let list = this.preparedHits.get(sending);
    if (!list) {
      list = [];
      for (const [name, value] of Object.entries(sending.headers)) {
        if (REPLACED_ON_HITS.has(name)) continue;
        if (Array.isArray(value)) for (const one of value) list.push(name, one);
        else list.push(name, value);
      }
      list.push('x-cache', 'HIT', 'via', VIA, 'accept-ranges', sending.encoding ? 'none' : 'bytes', 'content-length', String(sending.body.length), 'age', '0');
      this.preparedHits.set(sending, list);
    }
    return list;
  }

  /**
   * A cached response: 304 for a matching conditional, 206/416 for a range, else 200. A body in
   * the disk tier is opened first; when its file is missing or cut short the object is dropped
   * and `unreadable` answers instead (a miss), or a 502 without it.
   */
  private sendCached(served: Served, req: IncomingMessage, res: ServerResponse, object: CachedObject, now: number, unreadable?: () => void): void {
    if (!(object.body instanceof FileBody)) return this.respondCached(served, req, res, object, now, undefined);
    const body = object.body;
    openBody(body).then(
      (file) => {
        if (file) return res.destroyed ? file.release() : this.respondCached(served, req, res, object, now, file);
        this.options.cache.discard(object);
        this.options.log.warn({ endpointId: served.config.endpointId, file: body.path }, 'a file of the disk cache was missing or cut short: dropped, not served');
        if (unreadable) unreadable();
        else this.refuse(res, served, 502, 'The cached copy could not be read.');
      },
      (error: Error) => {
        // Not the file's fault (too many open files, say): it stays, and this request misses.
        this.options.log.error({ endpointId: served.config.endpointId, err: error.message }, 'reading the disk cache failed');
        if (unreadable) unreadable();
        else this.refuse(res, served, 502, 'The cached copy could not be read.');
      },
    );
  }

  /** The response for a stored object; `file`: its body's file, opened (closed here once sent or not needed). */
  private respondCached(served: Served, req: IncomingMessage, res: ServerResponse, object: CachedObject, now: number, file: FileLease | undefined): void {
    this.accounting.count(res, served, 'HIT');
    const age = Math.floor((now - object.storedAt) / 1000) + (Number(object.headers['age']) || 0);
    // The stored object, or its gzip or br copy for a client that accepts one (compressed-copies.ts).
    const sending = this.copies.representation(req.headers, object);
    const { headers: asked } = req;
    if (asked['if-none-match'] === undefined && asked['if-modified-since'] === undefined && asked.range === undefined) {
      // Most hits: no conditional, no range. Their headers were listed once (hitHeaders); only
      // Age is added per hit (the edge's own work per hit was mostly building header objects).
      const list = this.hitHeaders(sending);
      // Its last value is Age, set per hit: writeHead reads the list before it returns.
      list[list.length - 1] = String(age);
      res.writeHead(object.status, list);
      if (req.method === 'HEAD') this.endWithoutBody(res, file);
      else this.sendBody(served, res, sending.body, 0, sending.body.length - 1, file);
      return;
    }
    const headers: HeaderMap = { ...sending.headers, age: String(age), 'x-cache': 'HIT', via: VIA };
    // RFC 9110 §13.2.1: preconditions apply only to what would otherwise be a 2xx.
    if (object.status >= 200 && object.status < 300 && isNotModified(req.headers, sending.headers)) {
      res.writeHead(304, withoutHeaders(headers, ['content-length', 'content-type']));
      return this.endWithoutBody(res, file);
    }
    const size = sending.body.length;
    // A compressed copy is never sent for a Range (the Range is served from identity).
    const range = object.status === 200 && !sending.encoding ? resolveRange(req.headers, size, object.headers) : ({ kind: 'whole' } as const);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...withoutHeaders(headers, ['content-type']), 'content-range': `bytes */${size}`, 'content-length': '0' });
      return this.endWithoutBody(res, file);
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    const status = range.kind === 'partial' ? 206 : object.status;
    res.writeHead(status, {
      ...headers,
      'accept-ranges': sending.encoding ? 'none' : 'bytes',
      'content-length': String(end + 1 - start),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') this.endWithoutBody(res, file);
    else this.sendBody(served, res, sending.body, start, end, file);
  }

  /**
   * Bytes `start` to `end` (inclusive) of a stored body: from memory at once, or streamed from
   * its file. Counted as sent at once: a stored body goes out whole unless the client leaves.
   */
  private sendBody(served: Served, res: ServerResponse, body: Body, start: number, end: number, file: FileLease | undefined): void {
    this.accounting.sent(served, end + 1 - start);
    // A representation in memory (a compressed copy) needs no file: the lease goes back at once.
    if (!(body instanceof FileBody)) file?.release();
    if (Buffer.isBuffer(body)) {
      res.end(start === 0 && end === body.length - 1 ? body : body.subarray(start, end + 1));
      return;
    }
    if (!(body instanceof FileBody)) return sendSlab(res, body, start, end);
    if (!file || end < start) return this.endWithoutBody(res, file);
    if (end + 1 - start <= READ_WHOLE_BYTES) {
      // One read and one write: a stream's chunks and pipe cost more than the copy for these.
      readBody(file, body, start, end, this.diskReads).then(
        (bytes) => {
          if (!(bytes instanceof SlabBody)) return void res.end(bytes);
          sendSlab(res, bytes, 0, bytes.length - 1);
          // sendSlab holds its own reference until the response closes.
          bytes.release();
        },
        (error: Error) => res.destroy(error),
      );
      return;
    }
    const stream = streamBody(file, body, start, end);
    stream.on('error', (error) => res.destroy(error));
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  private endWithoutBody(res: ServerResponse, file: FileLease | undefined): void {
    file?.release();
    res.end();
  }



  /**
   * Any other method, or a request that cannot share a fill: straight to the origin. `marked`:
   * the request passed because its key was remembered as not shareable; an answer that is
   * shareable again forgets that, so the next request fills the cache (Varnish's hit-for-miss).
   */
  private async pass(served: Served, req: IncomingMessage, res: ServerResponse, target: string, clientIp: string, marked?: { key: string; path: string }): Promise<void> {
    const { config } = served;
    const counted = this.accounting.meterResponse(served, res);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let originBytes = 0;
    try {
      const requested = this.options.now();
      const response = await this.accounting.timedFetch({
        method: req.method ?? 'GET',
        target,
        addresses: config.originAddresses,
        host: config.host,
        headers: originRequestHeaders(req.headers, clientIp, false),
        ...(hasBody ? { body: req } : {}),
      });
      const received = this.options.now();
      this.accounting.count(res, served, 'PASS');
      const fromOrigin = endToEndHeaders(response.headers);
      const decision = marked && storageDecision(req.headers, response.status, fromOrigin, marked.path, config.cachePolicy, exchangeContext(requested, received, this.options.negativeTtlSeconds));
      if (marked && decision && (decision.ttlSeconds > 0 || decision.storedToRevalidate)) {
        this.fills.shareableAgain(marked.key);
      }
      const headers = withoutHeaders(fromOrigin, this.hidden);
      const invalidated = invalidatedTargets(req.method ?? 'GET', response.status, config.customDomain, target, headers);
      this.invalidate(served, invalidated);
      if (invalidated.length > 0) this.options.onInvalidate?.(config.endpointId, invalidated);
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
      this.accounting.fetched(served, originBytes);
    }
  }

  /**
   * RFC 9111 §4.4: drops what is stored (or being filled) for targets an unsafe request changed.
   * Only keys that hold something: a purge record for every URL ever POSTed to would only grow.
   */
  private invalidate(served: Served, targets: readonly InvalidatedTarget[]): void {
    const { endpointId, cachePolicy } = served.config;
    const now = this.options.now();
    for (const target of targets) {
      const path = normalizePath(target.path);
      const key = cacheKey(endpointId, path, cachePolicy.ignoreQueryString ? '' : target.query);
      if (this.fills.has(key) || this.options.cache.get(key, now)) void this.purge(endpointId, { files: [path], directories: [], patterns: [] });
    }
  }

  /** What an unsafe request invalidated in another process of this edge (onInvalidate there). */
  invalidateFromElsewhere(endpointId: string, targets: readonly InvalidatedTarget[]): void {
    const served = this.byId.get(endpointId);
    if (served) this.invalidate(served, targets);
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
    this.accounting.count(res, served, status >= 500 ? 'ERROR' : 'REFUSED');
    const body = `${message}\n`;
    if (served) this.accounting.sent(served, Buffer.byteLength(body));
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-cache': 'MISS',
      age: '0',
      via: VIA,
    });
    res.end(body);
  }

}
