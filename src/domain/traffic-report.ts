/**
 * Volume and bandwidth reports from 5-minute traffic samples: one item per bucket of the
 * granularity in the range (zero where nothing was served), totals, peaks and valleys.
 */
import type { EndpointBandwidth, EndpointVolume, Granularity, SubscriptionVolume } from '../contract/schemas/traffic.js';
import { BUCKET_MS, bucketStarts, bytesToMB, bytesToMbps, GRANULARITY_MS, round, type TrafficRange } from './traffic-range.js';

export interface Sample {
  readonly bucketStart: number;
  readonly cdnBytes: number;
  readonly originBytes: number;
}

interface Bucket {
  readonly start: number;
  cdnBytes: number;
  originBytes: number;
}

function sumIntoBuckets(samples: readonly Sample[], range: TrafficRange, sizeMs: number): Bucket[] {
  const buckets = bucketStarts(range, sizeMs).map((start): Bucket => ({ start, cdnBytes: 0, originBytes: 0 }));
  const first = buckets[0]?.start ?? 0;
  for (const sample of samples) {
    const bucket = buckets[Math.floor((sample.bucketStart - first) / sizeMs)];
    if (!bucket) continue;
    bucket.cdnBytes += sample.cdnBytes;
    bucket.originBytes += sample.originBytes;
  }
  return buckets;
}

export function endpointVolume(domain: string, samples: readonly Sample[], range: TrafficRange, granularity: Granularity): EndpointVolume {
  const buckets = sumIntoBuckets(samples, range, GRANULARITY_MS[granularity]);
  const items = buckets.map((b) => ({
    Timestamp: new Date(b.start).toISOString(),
    VolumeInMB: bytesToMB(b.cdnBytes),
    OriginVolumeInMB: bytesToMB(b.originBytes),
  }));
  const cdn = buckets.reduce((sum, b) => sum + b.cdnBytes, 0);
  const origin = buckets.reduce((sum, b) => sum + b.originBytes, 0);
  return {
    DomainName: domain,
    Items: items,
    TotalCdnVolumeInMB: bytesToMB(cdn),
    TotalOriginVolumeInMB: bytesToMB(origin),
  };
}

export function subscriptionVolume(details: Record<string, EndpointVolume>): SubscriptionVolume {
  const volumes = Object.values(details);
  return {
    Details: details,
    TotalCdnVolumeInMB: round(volumes.reduce((sum, v) => sum + v.TotalCdnVolumeInMB, 0)),
    TotalOriginVolumeInMB: round(volumes.reduce((sum, v) => sum + v.TotalOriginVolumeInMB, 0)),
  };
}

/** Bandwidth is the average over each 5-minute bucket, the finest the meter keeps. */
export function endpointBandwidth(domain: string, samples: readonly Sample[], range: TrafficRange): EndpointBandwidth {
  const buckets = sumIntoBuckets(samples, range, BUCKET_MS);
  const cdn = buckets.map((b) => bytesToMbps(b.cdnBytes, BUCKET_MS));
  const origin = buckets.map((b) => bytesToMbps(b.originBytes, BUCKET_MS));
  return {
    DomainName: domain,
    Items: buckets.map((b, i) => ({
      Timestamp: new Date(b.start).toISOString(),
      BandwidthInMbps: cdn[i]!,
      OriginBandwidthInMbps: origin[i]!,
    })),
    PeakBandwidthInMbps: cdn.length ? Math.max(...cdn) : 0,
    ValleyBandwidthInMbps: cdn.length ? Math.min(...cdn) : 0,
    PeakOriginBandwidthInMbps: origin.length ? Math.max(...origin) : 0,
    ValleyOriginBandwidthInMbps: origin.length ? Math.min(...origin) : 0,
  };
}
