/**
 * Per-endpoint request and byte counters, labelled by CustomDomain (what operators know), with
 * a bounded number of series: the first `limit` endpoints an edge serves get their own, the
 * rest share `endpoint="other"`, and a removed endpoint's series go with it. A tenant creating
 * endpoints cannot blow up the scrape (Prometheus's advice: keep label values bounded).
 */
import type { Metrics } from '../observability/metrics.js';
import type { PendingCount } from '../observability/pending-counts.js';

export type EdgeResult = 'HIT' | 'MISS' | 'PASS' | 'REFUSED' | 'ERROR';
const RESULTS: readonly EdgeResult[] = ['HIT', 'MISS', 'PASS', 'REFUSED', 'ERROR'];

/** Counters resolved once per endpoint: labelling on every request costs more. */
export interface EndpointCounters {
  readonly requests: Readonly<Record<EdgeResult, PendingCount>>;
  readonly sent: PendingCount;
  readonly fetched: PendingCount;
}

export const OTHER_ENDPOINTS = 'other';

export class EndpointMetrics {
  /** Endpoint id → the label its series carry. */
  private readonly labelled = new Map<string, string>();
  /** Endpoint id → its counters (endpoints sharing "other" have counters of their own, into the same series). */
  private readonly counters = new Map<string, EndpointCounters>();

  constructor(
    private readonly metrics: Metrics,
    private readonly limit: number,
  ) {}

  /** The counters of an endpoint serving `domain`, taking a series of its own while any is free. */
  countersFor(endpointId: string, domain: string): EndpointCounters {
    let label = this.labelled.get(endpointId);
    const existing = this.counters.get(endpointId);
    if (existing && (label === domain || label === OTHER_ENDPOINTS)) return existing;
    if (label !== undefined) this.forget(endpointId);
    label = this.ownSeries() < this.limit ? domain : OTHER_ENDPOINTS;
    this.labelled.set(endpointId, label);
    const { edgeEndpointRequests, edgeEndpointSentBytes, edgeEndpointOriginBytes } = this.metrics;
    const requests = Object.fromEntries(RESULTS.map((result) => [result, edgeEndpointRequests.count(label, result)])) as Record<EdgeResult, PendingCount>;
    const counters = { requests, sent: edgeEndpointSentBytes.count(label), fetched: edgeEndpointOriginBytes.count(label) };
    this.counters.set(endpointId, counters);
    return counters;
  }

  /** The endpoint is gone from this edge: its series go too, freeing the place for another. */
  forget(endpointId: string): void {
    const label = this.labelled.get(endpointId);
    const counters = this.counters.get(endpointId);
    this.labelled.delete(endpointId);
    this.counters.delete(endpointId);
    const { edgeEndpointRequests, edgeEndpointSentBytes, edgeEndpointOriginBytes } = this.metrics;
    if (counters) {
      for (const result of RESULTS) edgeEndpointRequests.drop(counters.requests[result]);
      edgeEndpointSentBytes.drop(counters.sent);
      edgeEndpointOriginBytes.drop(counters.fetched);
    }
    if (label === undefined || label === OTHER_ENDPOINTS) return;
    for (const result of RESULTS) edgeEndpointRequests.remove(label, result);
    edgeEndpointSentBytes.remove(label);
    edgeEndpointOriginBytes.remove(label);
  }

  private ownSeries(): number {
    let own = 0;
    for (const label of this.labelled.values()) if (label !== OTHER_ENDPOINTS) own += 1;
    return own;
  }
}
