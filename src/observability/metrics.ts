/**
 * Every Prometheus metric of a mooncdn process, defined once, in its own registry (so tests
 * can build several). The API, the engine and the edge record into it; /metrics serves it.
 */
import type { EdgeView } from '../domain/fleet-view.js';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { PendingCounter } from './pending-counts.js';

/** The edge cache's figures at a scrape: the memory tier, fills in progress, the disk tier if any. */
export interface CacheSize {
  readonly bytes: number;
  readonly objects: number;
  readonly fillBytes: number;
  /** Memory the slab pool holds from the system for bodies, and of it what evicted bodies still being sent hold. */
  readonly slabBytes?: number;
  readonly outBytes?: number;
  readonly diskBytes?: number;
  readonly diskObjects?: number;
}

/** What /metrics says of the edge cache, read from CacheSize (measureCacheWith) at each scrape. */
const CACHE_GAUGES: readonly { name: string; help: string; read: (size: CacheSize) => number }[] = [
  { name: 'mooncdn_edge_cache_bytes', help: 'Bytes the edge cache holds (bodies and bookkeeping), against its budget', read: (size) => size.bytes },
  { name: 'mooncdn_edge_fill_bytes', help: 'Bytes the edge holds for fills in progress, against --edge-fill-bytes', read: (size) => size.fillBytes },
  { name: 'mooncdn_edge_cache_objects', help: 'Objects the edge cache holds', read: (size) => size.objects },
  {
    name: 'mooncdn_edge_slab_bytes',
    help: 'Bytes of memory slabs the edge holds for bodies (grown on demand up to the budget plus room for bodies still being sent; kept once grown)',
    read: (size) => size.slabBytes ?? 0,
  },
  {
    name: 'mooncdn_edge_out_bytes',
    help: 'Bytes of evicted or purged bodies still being sent to clients or written to disk (outside the budget until their last reader is done)',
    read: (size) => size.outBytes ?? 0,
  },
  { name: 'mooncdn_edge_disk_bytes', help: "Bytes of files the edge's disk tier holds, against --edge-disk-bytes (0 without one)", read: (size) => size.diskBytes ?? 0 },
  { name: 'mooncdn_edge_disk_objects', help: "Objects the edge's disk tier holds", read: (size) => size.diskObjects ?? 0 },
];

export class Metrics {
  readonly registry = new Registry();

  readonly apiRequests = new Counter({
    name: 'mooncdn_api_requests_total',
    help: 'Management API requests, by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly apiRequestDuration = new Histogram({
    name: 'mooncdn_api_request_duration_seconds',
    help: 'Management API request time, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly authenticationFailures = new Counter({
    name: 'mooncdn_api_authentication_failures_total',
    help: 'Requests refused by the signature and access checks, by error type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly operations = new Counter({
    name: 'mooncdn_operations_total',
    help: 'Operations ended, by type and final status',
    labelNames: ['type', 'status'] as const,
    registers: [this.registry],
  });

  readonly operationDuration = new Histogram({
    name: 'mooncdn_operation_duration_seconds',
    help: 'Time from an operation being claimed to its end, by type',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  /** Labelled children resolved once: prom-client hashes the labels on every call otherwise. */
  private readonly requestChildren = new Map<string, { count: { inc(): void }; time: { observe(value: number): void } }>();

  /** One management API response. */
  recordApiRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = { count: this.apiRequests.labels(route, method, String(status)), time: this.apiRequestDuration.labels(route) };
      this.requestChildren.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  /** Where the queue depth is read from at each scrape (the store). */
  private unfinished: () => Promise<number> = async () => 0;

  readonly queueDepth = new Gauge({
    name: 'mooncdn_operations_unfinished',
    help: 'Operations accepted and not yet ended (NotSet or Processing)',
    registers: [this.registry],
    collect: async () => {
      this.queueDepth.set(await this.unfinished());
    },
  });

  /** Where the fleet is read from at each scrape (the store's edges, scaled shape). */
  private fleet: () => Promise<readonly EdgeView[]> = async () => [];
  private fleetSnapshot: Promise<readonly EdgeView[]> | undefined;

  /** One read of the fleet per scrape, shared by its gauges. */
  private fleetNow(): Promise<readonly EdgeView[]> {
    this.fleetSnapshot ??= this.fleet().finally(() => setImmediate(() => (this.fleetSnapshot = undefined)));
    return this.fleetSnapshot;
  }

  readonly fleetApplied = new Gauge({
    name: 'mooncdn_fleet_edge_applied_sequence',
    help: 'Last fleet log sequence each edge applied (scaled shape)',
    labelNames: ['edge'] as const,
    registers: [this.registry],
    collect: async () => {
      this.fleetApplied.reset();
      for (const edge of await this.fleetNow()) this.fleetApplied.set({ edge: edge.id }, edge.appliedSeq);
    },
  });

  readonly fleetLag = new Gauge({
    name: 'mooncdn_fleet_edge_lag',
    help: 'Changes in the fleet log each edge had not applied at its last heartbeat',
    labelNames: ['edge'] as const,
    registers: [this.registry],
    collect: async () => {
      this.fleetLag.reset();
      for (const edge of await this.fleetNow()) this.fleetLag.set({ edge: edge.id }, edge.lag);
    },
  });

  readonly fleetHeartbeatAge = new Gauge({
    name: 'mooncdn_fleet_edge_heartbeat_age_seconds',
    help: "Seconds since each edge's last heartbeat was recorded",
    labelNames: ['edge'] as const,
    registers: [this.registry],
    collect: async () => {
      this.fleetHeartbeatAge.reset();
      for (const edge of await this.fleetNow()) this.fleetHeartbeatAge.set({ edge: edge.id }, edge.heartbeatAgeMs / 1000);
    },
  });

  readonly fleetState = new Gauge({
    name: 'mooncdn_fleet_edge_state',
    help: "1 for each edge's state (serving, syncing, fenced)",
    labelNames: ['edge', 'state'] as const,
    registers: [this.registry],
    collect: async () => {
      this.fleetState.reset();
      for (const edge of await this.fleetNow()) {
        for (const state of ['serving', 'syncing', 'fenced'] as const) this.fleetState.set({ edge: edge.id, state }, edge.state === state ? 1 : 0);
      }
    },
  });

  measureFleetWith(source: () => Promise<readonly EdgeView[]>): void {
    this.fleet = source;
  }

  // The edge's per-request counters take their increments as plain additions, added to the
  // series when read (pending-counts.ts): a hit would otherwise spend ~1 µs in prom-client.
  readonly edgeRequests = new PendingCounter({
    name: 'mooncdn_edge_requests_total',
    help: 'Edge responses, by cache result: HIT, MISS (fetched from the origin), PASS (not cacheable), REFUSED (403/404 by the edge)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly edgeBytesSent = new PendingCounter({
    name: 'mooncdn_edge_sent_bytes_total',
    help: 'Response body bytes the edge sent to clients',
    registers: [this.registry],
  });

  readonly edgeOriginBytes = new PendingCounter({
    name: 'mooncdn_edge_origin_bytes_total',
    help: 'Response body bytes the edge fetched from origins',
    registers: [this.registry],
  });

  readonly edgeEndpointRequests = new PendingCounter({
    name: 'mooncdn_edge_endpoint_requests_total',
    help: 'Edge responses per endpoint (by CustomDomain; endpoints past --edge-metrics-endpoints share endpoint="other"), by cache result',
    labelNames: ['endpoint', 'result'] as const,
    registers: [this.registry],
  });

  readonly edgeEndpointSentBytes = new PendingCounter({
    name: 'mooncdn_edge_endpoint_sent_bytes_total',
    help: 'Response body bytes the edge sent to clients, per endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  readonly edgeEndpointOriginBytes = new PendingCounter({
    name: 'mooncdn_edge_endpoint_origin_bytes_total',
    help: 'Response body bytes the edge fetched from origins, per endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  readonly originFetchDuration = new Histogram({
    name: 'mooncdn_edge_origin_fetch_duration_seconds',
    help: 'Time from asking an origin to having its response headers, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  /** Where the cache's size is read from at each scrape (the edge's cache store). */
  private cacheSize: () => CacheSize = () => ({ bytes: 0, objects: 0, fillBytes: 0 });

  /** The edge cache's gauges (CACHE_GAUGES), each read from the cache store at a scrape. */
  readonly cacheGauges = CACHE_GAUGES.map(({ name, help, read }) => {
    const gauge: Gauge = new Gauge({ name, help, registers: [this.registry], collect: () => gauge.set(read(this.cacheSize())) });
    return gauge;
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'mooncdn_' });
  }

  countUnfinishedWith(source: () => Promise<number>): void {
    this.unfinished = source;
  }

  measureCacheWith(source: () => CacheSize): void {
    this.cacheSize = source;
  }

  /** Other processes' metrics (edge workers, as getMetricsAsJSON() gives them) summed into each scrape. */
  private others: (() => Promise<unknown[][]>) | undefined;

  aggregateWith(source: () => Promise<unknown[][]>): void {
    this.others = source;
  }

  /** Text exposition format for a scrape: this process's metrics, plus the others' (counters and gauges summed). */
  async exposition(): Promise<string> {
    if (!this.others) return this.registry.metrics();
    const all = [await this.registry.getMetricsAsJSON(), ...(await this.others())] as MetricObjectWithValues<MetricValue<string>>[][];
    return AggregatorRegistry.aggregate(all).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
