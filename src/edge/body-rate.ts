/**
 * A minimum rate for an origin's body (`--edge-origin-min-bytes-per-second`, over windows of
 * `--edge-origin-timeout-ms`) while a fill keeps it for the cache. The origin client's idle
 * timeout only bounds the time between two chunks, so an origin that trickles a byte every 2 s
 * would hold the fill, and every client that joined it, for ever. (A kept body is read as fast
 * as it comes, so the edge's own waits never count against the origin.)
 */
export interface BodyRateLimit {
  /** 0: no minimum. */
  readonly minBytesPerSecond: number;
  readonly windowMs: number;
}

export class OriginTooSlowError extends Error {
  constructor(origin: string, bytes: number, limit: BodyRateLimit) {
    super(
      `The origin ${origin} sent its body too slowly: ${bytes} bytes in ${limit.windowMs} ms, under the minimum of ${limit.minBytesPerSecond} bytes per second.`,
    );
    this.name = 'OriginTooSlowError';
  }
}

/** Whether `bytes` in one window fall short of the limit. */
export function tooSlow(bytes: number, limit: BodyRateLimit): boolean {
  return limit.minBytesPerSecond > 0 && bytes < (limit.minBytesPerSecond * limit.windowMs) / 1000;
}

/** Counts a body's bytes per window and calls `onTooSlow` once at the end of a window too short. */
export class BodyRateGuard {
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly limit: BodyRateLimit,
    private readonly onTooSlow: (bytes: number) => void,
  ) {
    this.arm();
  }

  count(bytes: number): void {
    this.bytes += bytes;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped || this.limit.minBytesPerSecond === 0) return;
    this.timer = setTimeout(() => {
      if (tooSlow(this.bytes, this.limit)) {
        this.stopped = true;
        this.onTooSlow(this.bytes);
      } else {
        this.bytes = 0;
        this.arm();
      }
    }, this.limit.windowMs);
    this.timer.unref();
  }
}
