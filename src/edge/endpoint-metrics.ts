/**
 * Per-endpoint request and byte counters, labelled by CustomDomain (what operators know), with
 * a bounded number of series: the first `limit` endpoints an edge serves get their own, the
 * rest share `endpoint="other"`, and a removed endpoint's series go with it. A tenant creating
 * endpoints cannot blow up the scrape (Prometheus's advice: keep label values bounded).
 */
import type { Metrics } from '../observability/metrics.js';

export type EdgeResult = 'HIT' | 'MISS' | 'PASS' | 'REFUSED' | 'ERROR';
const RESULTS: readonly EdgeResult[] = ['HIT', 'MISS', 'PASS', 'REFUSED', 'ERROR'];

/** Counters resolved once per endpoint: labelling on every request costs more. */
export interface EndpointCounters {
  readonly requests: Readonly<Record<EdgeResult, { inc(): void }>>;
  readonly sent: { inc(bytes: number): void };
  readonly fetched: { inc(bytes: number): void };
}

export const OTHER_ENDPOINTS = 'other';

export class EndpointMetrics {
  /** Endpoint id → the label its series carry. */
  private readonly labelled = new Map<string, string>();

  constructor(
    private readonly metrics: Metrics,
    private readonly limit: number,
  ) {}

  /** The counters of an endpoint serving `domain`, taking a series of its own while any is free. */
  countersFor(endpointId: string, domain: string): EndpointCounters {
    let label = this.labelled.get(endpointId);
    if (label === undefined || (label !== domain && label !== OTHER_ENDPOINTS)) {
      if (label !== undefined) this.forget(endpointId);
      label = this.ownSeries() < this.limit ? domain : OTHER_ENDPOINTS;
      this.labelled.set(endpointId, label);
    }
    const { edgeEndpointRequests, edgeEndpointSentBytes, edgeEndpointOriginBytes } = this.metrics;
    const requests = Object.fromEntries(RESULTS.map((result) => [result, edgeEndpointRequests.labels(label, result)])) as Record<EdgeResult, { inc(): void }>;
    return { requests, sent: edgeEndpointSentBytes.labels(label), fetched: edgeEndpointOriginBytes.labels(label) };
  }

  /** The endpoint is gone from this edge: its series go too, freeing the place for another. */
  forget(endpointId: string): void {
    const label = this.labelled.get(endpointId);
    this.labelled.delete(endpointId);
    if (label === undefined || label === OTHER_ENDPOINTS) return;
    const { edgeEndpointRequests, edgeEndpointSentBytes, edgeEndpointOriginBytes } = this.metrics;
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
