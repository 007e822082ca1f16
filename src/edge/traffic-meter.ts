/**
 * Bytes sent to clients and fetched from origins, per endpoint, in 5-minute buckets; flushed to
 * a sink (the store's traffic table) every `flushMs`. A flush that fails keeps its figures for
 * the next one. MB in the volume API is 10^6 of these bytes; only bodies are counted.
 */
import { bucketOf } from '../domain/traffic-range.js';
import type { TrafficSample } from '../store/repositories/traffic.js';

export type TrafficSink = (samples: TrafficSample[]) => Promise<void>;

export class TrafficMeter {
  private pending = new Map<string, TrafficSample>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sink: TrafficSink,
    private readonly now: () => number,
  ) {}

  add(endpointId: string, cdnBytes: number, originBytes: number): void {
    if (cdnBytes === 0 && originBytes === 0) return;
    const bucketStart = bucketOf(this.now());
    const key = `${endpointId}\n${bucketStart}`;
    const sample = this.pending.get(key);
    this.pending.set(key, {
      endpointId,
      bucketStart,
      cdnBytes: (sample?.cdnBytes ?? 0) + cdnBytes,
      originBytes: (sample?.originBytes ?? 0) + originBytes,
    });
  }

  start(flushMs: number): void {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const samples = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.sink(samples)
      .catch(() => {
        for (const sample of samples) this.merge(sample);
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private merge(sample: TrafficSample): void {
    const key = `${sample.endpointId}\n${sample.bucketStart}`;
    const existing = this.pending.get(key);
    this.pending.set(key, {
      ...sample,
      cdnBytes: sample.cdnBytes + (existing?.cdnBytes ?? 0),
      originBytes: sample.originBytes + (existing?.originBytes ?? 0),
    });
  }
}
