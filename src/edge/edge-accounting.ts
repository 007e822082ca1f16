/**
 * What the edge records of each exchange: the traffic meter (bytes per endpoint, for the volume
 * and bandwidth routes), the metrics (results and bytes, in total and per endpoint with bounded
 * series), origin fetch times, and the opt-in access log. Kept apart from routing and fills so
 * those read as what they do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { PendingCount } from '../observability/pending-counts.js';
import { EndpointMetrics, type EdgeResult, type EndpointCounters } from './endpoint-metrics.js';
import type { OriginClient, OriginRequest, OriginResponse } from './origin-client.js';
import type { TrafficMeter } from './traffic-meter.js';

/** What accounting needs of an endpoint the edge serves. */
export interface Accounted {
  readonly config: { readonly endpointId: string };
  readonly counters: EndpointCounters | undefined;
}

/** The bytes one response sends, for the meter. */
export interface Counted {
  bytes: number;
}

/** A response whose cache result the access log reads when it closes. */
type Logged = ServerResponse & { edgeResult?: EdgeResult };

export interface EdgeAccountingOptions {
  readonly meter: TrafficMeter;
  readonly origin: OriginClient;
  readonly metrics?: Metrics;
  /** How many endpoints get metric series of their own (endpoint-metrics.ts); default 100. */
  readonly endpointSeries?: number;
  /** Where one line per request goes; none when undefined. */
  readonly accessLog?: Logger;
}

export class EdgeAccounting {
  /** The request counter per result, resolved once (labelling on every request costs more). */
  private readonly results: Record<EdgeResult, PendingCount> | undefined;
  private readonly bytesSent: PendingCount | undefined;
  private readonly originBytes: PendingCount | undefined;
  private readonly endpoints: EndpointMetrics | undefined;

  constructor(private readonly options: EdgeAccountingOptions) {
    const { metrics } = options;
    this.endpoints = metrics && new EndpointMetrics(metrics, options.endpointSeries ?? 100);
    const counter = metrics?.edgeRequests;
    this.results = counter && {
      HIT: counter.count('HIT'),
      MISS: counter.count('MISS'),
      PASS: counter.count('PASS'),
      REFUSED: counter.count('REFUSED'),
      ERROR: counter.count('ERROR'),
    };
    this.bytesSent = metrics?.edgeBytesSent.count();
    this.originBytes = metrics?.edgeOriginBytes.count();
  }

  /** The per-endpoint counters of an endpoint the edge starts (or goes on) serving. */
  countersFor(endpointId: string, domain: string): EndpointCounters | undefined {
    return this.endpoints?.countersFor(endpointId, domain);
  }

  /** The endpoint is gone: its series go. */
  forget(endpointId: string): void {
    this.endpoints?.forget(endpointId);
  }

  count(res: ServerResponse, served: Accounted | undefined, result: EdgeResult): void {
    this.results?.[result].inc();
    served?.counters?.requests[result].inc();
    if (this.options.accessLog) (res as Logged).edgeResult = result;
  }

  /** Counts what a streamed response sends and reports it to the meter when it is done. */
  meterResponse(served: Accounted, res: ServerResponse): Counted {
    const counted: Counted = { bytes: 0 };
    res.once('close', () => this.sent(served, counted.bytes));
    return counted;
  }

  /** Bytes sent to a client: for the traffic meter and the metrics. */
  sent(served: Accounted, bytes: number): void {
    this.options.meter.add(served.config.endpointId, bytes, 0);
    this.bytesSent?.inc(bytes);
    served.counters?.sent.inc(bytes);
  }

  /** Bytes taken from an origin: for the traffic meter and the metrics. */
  fetched(served: Accounted, bytes: number): void {
    this.options.meter.add(served.config.endpointId, 0, bytes);
    this.originBytes?.inc(bytes);
    served.counters?.fetched.inc(bytes);
  }

  /**
   * One access log line when the response closes (with --edge-access-log). Bytes are what went
   * to the client's socket for it, headers included (nginx's $bytes_sent); `complete` is false
   * when the client left or the connection was cut before the end.
   */
  logWhenClosed(req: IncomingMessage, res: ServerResponse, host: string): void {
    const log = this.options.accessLog;
    if (!log) return;
    const started = performance.now();
    const socket = req.socket;
    const before = socket.bytesWritten;
    res.once('close', () => {
      log.info(
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
  async timedFetch(request: OriginRequest): Promise<OriginResponse> {
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
