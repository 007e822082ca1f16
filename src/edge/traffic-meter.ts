/**
 * Bytes sent to clients and fetched from origins, per endpoint, in 5-minute buckets; flushed to
 * a sink (the store's traffic table) every `flushMs`. A flush that fails keeps its figures for
 * the next one. MB in the volume API is 10^6 of these bytes; only bodies are counted.
 *
 * Every response adds to it, so adding costs no allocation: one running tally per endpoint for
 * its current bucket; a tally whose bucket has passed waits in `closed` for the next flush.
 */
import { bucketOf } from '../domain/traffic-range.js';
import type { TrafficSample } from '../domain/traffic-sample.js';

export type TrafficSink = (samples: TrafficSample[]) => Promise<void>;

interface Tally {
  readonly endpointId: string;
  readonly bucketStart: number;
  cdnBytes: number;
  originBytes: number;
}

export class TrafficMeter {
  private current = new Map<string, Tally>();
  private closed: Tally[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sink: TrafficSink,
    private readonly now: () => number,
  ) {}

  add(endpointId: string, cdnBytes: number, originBytes: number): void {
    if (cdnBytes === 0 && originBytes === 0) return;
    const bucketStart = bucketOf(this.now());
    let tally = this.current.get(endpointId);
    if (!tally || tally.bucketStart !== bucketStart) {
      if (tally) this.closed.push(tally);
      tally = { endpointId, bucketStart, cdnBytes: 0, originBytes: 0 };
      this.current.set(endpointId, tally);
    }
    tally.cdnBytes += cdnBytes;
    tally.originBytes += originBytes;
  }

  start(flushMs: number): void {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.current.size === 0 && this.closed.length === 0) return;
    const tallies = [...this.closed, ...this.current.values()];
    this.closed = [];
    this.current = new Map();
    const samples = merge(tallies);
    this.flushing = this.sink(samples)
      // Kept for the next flush; the sink adds to its buckets, so nothing is counted twice.
      .catch(() => void this.closed.push(...samples.map((sample) => ({ ...sample }))))
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** One sample per endpoint and bucket (a bucket's tally may have been closed and reopened). */
function merge(tallies: readonly Tally[]): TrafficSample[] {
  const byKey = new Map<string, TrafficSample>();
  for (const tally of tallies) {
    const key = `${tally.endpointId}\n${tally.bucketStart}`;
    const earlier = byKey.get(key);
    byKey.set(key, {
      endpointId: tally.endpointId,
      bucketStart: tally.bucketStart,
      cdnBytes: tally.cdnBytes + (earlier?.cdnBytes ?? 0),
      originBytes: tally.originBytes + (earlier?.originBytes ?? 0),
    });
  }
  return [...byKey.values()];
}
