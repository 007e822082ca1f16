/**
 * A real edge for edge tests, assembled as embedded-edge.ts does it (MemoryCacheStore,
 * OriginClient, TrafficMeter, real HTTP and HTTPS listeners), but configured by calling
 * `applyEndpoint` directly and driven by a TestClock. The meter's sink collects samples in an
 * array. Also here: origins a test controls byte by byte, a streaming client, a closed port.
 *
 * Everything started through this file is closed by `closeAll`, which each test file runs
 * in afterEach.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { DEFAULT_ACCESS_CONTROL } from '../../src/domain/access-control.js';
import { DEFAULT_CACHE_POLICY, type CachePolicyRules } from '../../src/domain/cache-policy.js';
import { DiskTier } from '../../src/edge/cache/disk-tier.js';
import { MemoryCacheStore } from '../../src/edge/cache/memory-store.js';
import { EdgeNode } from '../../src/edge/edge-node.js';
import { listenEdge, type EdgeListeners } from '../../src/edge/edge-servers.js';
import { denyListeners } from '../../src/server/edge-parts.js';
import { OriginClient } from '../../src/edge/origin-client.js';
import { OriginAddressPolicy, parseDenyList } from '../../src/edge/policy/origin-address.js';
import { TrafficMeter } from '../../src/edge/traffic-meter.js';
import type { EdgeEndpointConfig } from '../../src/operations/edge-config.js';
import type { Metrics } from '../../src/observability/metrics.js';
import type { TrafficSample } from '../../src/domain/traffic-sample.js';
import { TestClock } from '../support/clock.js';
import { edgeGet, type EdgeResponse } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';

// ---- closing what a test started ---------------------------------------------------------

const open: Array<() => Promise<void>> = [];

/** Registers something to close after the test; returns it. */
export { closedPort } from '../support/ports.js';

export function track<T extends { close(): Promise<void> }>(thing: T): T {
  open.push(() => thing.close());
  return thing;
}

/** Closes everything started since the last call, newest first. Run it in afterEach. */
export async function closeAll(): Promise<void> {
  while (open.length > 0) await open.pop()!().catch(() => undefined);
}

// ---- the edge ------------------------------------------------------------------------------

export interface EdgeOptions {
  /** Byte budget of the memory cache (default 8 MB). */
  readonly cacheBytes?: number;
  /** Largest object kept (default 1 MB). */
  readonly maxObjectBytes?: number;
  /** Origin timeout (default 5 s). */
  readonly originTimeoutMs?: number;
  /** Bytes fills in progress may hold (default 64 MB). */
  readonly fillBytes?: number;
  /** Slowest origin body, per origin timeout (default: no minimum). */
  readonly originMinBytesPerSecond?: number;
  /** The most a cache rule keeps a 404 or 410 (default 10 s, as --edge-negative-ttl-seconds). */
  readonly negativeTtlSeconds?: number;
  /** Where the edge logs (default: silent, or MOONCDN_TEST_LOG's level). */
  readonly log?: Logger;
  /** Metrics to record into, and how many endpoints get series of their own. */
  readonly metrics?: Metrics;
  readonly endpointSeries?: number;
  /** Where the access log goes (default: none). */
  readonly accessLog?: Logger;
  /** The origin deny list, as --edge-origin-deny takes it (default: empty). */
  readonly originDeny?: string;
  /** A disk tier in this directory with this budget (default: none). */
  readonly disk?: { readonly dir: string; readonly bytes: number; readonly maxObjectBytes?: number };
  /** The tag headers, lower case, as --edge-tag-headers gives them (default: cache-tag). */
  readonly tagHeaders?: readonly string[];
  /** The clock to start from (default: a new TestClock), so that an edge restarted on a disk tier goes on in time. */
  readonly clock?: TestClock;
}

export interface TestEdge {
  readonly node: EdgeNode;
  readonly cache: MemoryCacheStore;
  readonly meter: TrafficMeter;
  /** What the meter's flushes delivered. */
  readonly samples: TrafficSample[];
  readonly clock: TestClock;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Applies an endpoint built by `endpointConfig` from these settings; returns the config. */
  endpoint(settings: EndpointSettings): Promise<EdgeEndpointConfig>;
  /** A plain HTTP request to the edge with this Host. */
  get(host: string, path: string, options?: Parameters<typeof edgeGet>[3]): Promise<EdgeResponse>;
  close(): Promise<void>;
}

export async function startEdge(options: EdgeOptions = {}): Promise<TestEdge> {
  const clock = options.clock ?? new TestClock();
  const samples: TrafficSample[] = [];
  const disk = options.disk && (await DiskTier.open({ dir: options.disk.dir, budgetBytes: options.disk.bytes, ...(options.disk.maxObjectBytes !== undefined && { maxObjectBytes: options.disk.maxObjectBytes }) }, clock.now()));
  const cache = new MemoryCacheStore(options.cacheBytes ?? 8 * 1024 * 1024, options.maxObjectBytes ?? 1024 * 1024, disk ? { disk } : {});
  const deny = parseDenyList(options.originDeny ?? '');
  if ('problem' in deny) throw new Error(deny.problem);
  const originPolicy = new OriginAddressPolicy(deny.ranges);
  const originTimeoutMs = options.originTimeoutMs ?? 5_000;
  const origin = new OriginClient(originTimeoutMs, originPolicy);
  const meter = new TrafficMeter(async (batch) => void samples.push(...batch), () => clock.now());
  const log = options.log ?? pino({ level: process.env.MOONCDN_TEST_LOG ?? 'silent' });
  const { metrics, endpointSeries, accessLog } = options;
  const node = new EdgeNode({
    id: 'edge-test',
    cache,
    origin,
    meter,
    now: () => clock.now(),
    log,
    metrics,
    endpointSeries,
    accessLog,
    fillBytes: options.fillBytes ?? 64 * 1024 * 1024,
    originBodyRate: { minBytesPerSecond: options.originMinBytesPerSecond ?? 0, windowMs: originTimeoutMs },
    ...(options.negativeTtlSeconds !== undefined ? { negativeTtlSeconds: options.negativeTtlSeconds } : {}),
    ...(options.tagHeaders && { tagHeaders: options.tagHeaders }),
  });
  const listeners: EdgeListeners = await listenEdge(node, '127.0.0.1', 0, 0);
  denyListeners(originPolicy, listeners.servers);
  const edge: TestEdge = {
    node,
    cache,
    meter,
    samples,
    clock,
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    async endpoint(settings) {
      const config = endpointConfig(settings);
      await node.applyEndpoint(config);
      return config;
    },
    get: (host, path, requestOptions) => edgeGet(listeners.httpPort, host, path, requestOptions),
    async close() {
      await listeners.close();
      await meter.stop();
      await origin.close();
      await cache.close();
    },
  };
  return track(edge);
}

export type EndpointSettings = Partial<Omit<EdgeEndpointConfig, 'cachePolicy'>> & {
  readonly customDomain: string;
  readonly originAddresses: readonly string[];
  readonly cachePolicy?: Partial<CachePolicyRules>;
};

/** A whole EdgeEndpointConfig: the defaults of a new endpoint plus `settings`. */
export function endpointConfig(settings: EndpointSettings): EdgeEndpointConfig {
  return {
    endpointId: `ep-${settings.customDomain}`,
    enabled: true,
    host: settings.customDomain,
    accessControl: DEFAULT_ACCESS_CONTROL,
    certificate: null,
    ...settings,
    cachePolicy: { ...DEFAULT_CACHE_POLICY, ...settings.cachePolicy },
  };
}

/** Cache everything for an hour, whatever the origin says about freshness. */
export const CACHE_ALL_RULES: Partial<CachePolicyRules> = { rules: [{ type: 'Dir', items: ['/'], ttlSeconds: 3600 }] };

/** A real origin (test/support/origin-server.ts), closed after the test. */
export async function startOrigin(): Promise<OriginServer> {
  return track(await OriginServer.start());
}


// ---- an origin the test drives byte by byte ---------------------------------------------

/**
 * An origin that answers every request with `headers` at once and then leaves the response
 * open: the test takes it with `nextResponse()` and writes the body when it chooses. Without
 * a content-length header the body goes chunked.
 */
export class ControlledOrigin {
  readonly requests: IncomingMessage[] = [];
  /** The request bodies, in order, each once it has all arrived. */
  readonly bodies: Promise<string>[] = [];
  private readonly waiting: Array<(res: ServerResponse) => void> = [];
  private readonly ready: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    private readonly host: string,
  ) {}

  static async start(headers: Record<string, string>, host = '127.0.0.1'): Promise<ControlledOrigin> {
    const server = createServer();
    const origin = new ControlledOrigin(server, host);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      origin.requests.push(req);
      origin.bodies.push(
        new Promise((resolve) => {
          const chunks: Buffer[] = [];
          req.on('data', (chunk: Buffer) => chunks.push(chunk));
          req.on('end', () => resolve(Buffer.concat(chunks).toString()));
          req.on('error', () => resolve(Buffer.concat(chunks).toString()));
        }),
      );
      res.writeHead(200, headers);
      res.flushHeaders();
      const waiter = origin.waiting.shift();
      if (waiter) waiter(res);
      else origin.ready.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return track(origin);
  }

  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return this.host.includes(':') ? `[${this.host}]:${port}` : `${this.host}:${port}`;
  }

  /** The next response the origin has begun (head sent, body not yet). */
  nextResponse(): Promise<ServerResponse> {
    const res = this.ready.shift();
    if (res) return Promise.resolve(res);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next response, or undefined when no request comes within `ms`. */
  async nextResponseWithin(ms: number): Promise<ServerResponse | undefined> {
    const res = this.ready.shift();
    if (res) return res;
    return new Promise((resolve) => {
      const waiter = (response: ServerResponse) => {
        clearTimeout(timer);
        resolve(response);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(undefined);
      }, ms);
      this.waiting.push(waiter);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---- a client that sees bytes as they arrive -------------------------------------------

export interface StreamingResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body so far. */
  received(): Buffer;
  /** Resolves once at least `bytes` bytes of body have arrived. */
  waitForBytes(bytes: number): Promise<void>;
  /** The whole body; rejects if the response is cut off. */
  readonly done: Promise<Buffer>;
  /** Hangs up, as a client that goes away. */
  abort(): void;
}

/** A GET to the edge that resolves as soon as the response head arrives. */
export function streamGet(port: number, host: string, path: string): Promise<StreamingResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const watchers: Array<{ bytes: number; resolve: () => void; reject: (error: Error) => void }> = [];
      const check = () => {
        for (const watcher of [...watchers]) {
          if (length >= watcher.bytes) {
            watchers.splice(watchers.indexOf(watcher), 1);
            watcher.resolve();
          }
        }
      };
      const done = new Promise<Buffer>((resolveDone, rejectDone) => {
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          check();
        });
        res.on('end', () => resolveDone(Buffer.concat(chunks)));
        const fail = (error: Error) => {
          for (const watcher of watchers.splice(0)) watcher.reject(error);
          rejectDone(error);
        };
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('the response was cut off')));
      });
      done.catch(() => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        received: () => Buffer.concat(chunks),
        waitForBytes: (bytes) =>
          new Promise((resolveWait, rejectWait) => {
            watchers.push({ bytes, resolve: resolveWait, reject: rejectWait });
            check();
          }),
        done,
        abort: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// ---- a client that stops reading -----------------------------------------------------

export interface StalledClient {
  readonly socket: Socket;
  /** Reads on to the end of the connection; resolves with every byte received. */
  finish(): Promise<Buffer>;
}

/**
 * A raw connection that sends `requests` (raw HTTP/1.1 text, pipelined if several), takes the
 * first bytes of the answer and then reads nothing: beyond what the kernel's socket buffers take
 * in, the edge keeps writes pending, as for a slow client.
 */
export async function stalledClient(port: number, requests: string): Promise<StalledClient> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('data', (first: Buffer) => {
      chunks.push(first);
      socket.pause();
      resolve();
    });
    socket.write(requests);
  });
  return {
    socket,
    finish: () =>
      new Promise<Buffer>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.once('end', () => resolve(Buffer.concat(chunks)));
        socket.once('error', reject);
        socket.resume();
      }),
  };
}

/** A body of `size` bytes that is not the same all through, so a misplaced slice shows. */
export function patternedBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + Math.floor(i / 251)) % 256;
  return body;
}
