/**
 * Hit-for-pass: keys whose last origin answer could not be shared (private, a cookie, a Vary
 * the clients differ on), remembered for a while so that requests for them go straight to the
 * origin instead of queueing behind one fill whose answer they could not use anyway (Varnish
 * does the same with its hit-for-miss/hit-for-pass objects, for 120 s by default).
 *
 * Bounded: at most `capacity` keys, the least recently marked forgotten first (a Map keeps
 * insertion order, and marking again moves a key to the end). A purge forgets the keys it
 * covers, so a changed origin is asked anew at once.
 */
import { parseCacheControl, type Headers } from './policy/freshness.js';

/** How long a key is remembered when the response says nothing shorter (Varnish's default). */
export const PASS_SECONDS = 120;
/** The shortest memory: below it, the marker would not save a queue. */
export const MIN_PASS_SECONDS = 10;
/** Keys remembered at most; a marker is about 200 bytes with its key. */
export const PASS_CAPACITY = 10_000;

interface Marker {
  readonly endpointId: string;
  /** Normalised path, so that a purge can tell which markers it covers. */
  readonly path: string;
  readonly until: number;
}

export class PassMemory {
  private readonly markers = new Map<string, Marker>();

  constructor(private readonly capacity = PASS_CAPACITY) {}

  get size(): number {
    return this.markers.size;
  }

  /**
   * Remembers `key` as not shareable from `now` for `seconds` (clamped to MIN_PASS_SECONDS ..
   * PASS_SECONDS: the response's own lifetime when it gives one, so a page that is private for
   * 30 s is not passed for two minutes).
   */
  mark(key: string, endpointId: string, path: string, now: number, seconds: number = PASS_SECONDS): void {
    const clamped = Math.min(PASS_SECONDS, Math.max(MIN_PASS_SECONDS, seconds));
    this.markers.delete(key);
    this.markers.set(key, { endpointId, path, until: now + clamped * 1000 });
    if (this.markers.size > this.capacity) this.markers.delete(this.markers.keys().next().value!);
  }

  /** Whether requests for `key` should go straight to the origin now. */
  passes(key: string, now: number): boolean {
    const marker = this.markers.get(key);
    if (!marker) return false;
    if (marker.until > now) return true;
    this.markers.delete(key);
    return false;
  }

  forget(key: string): void {
    this.markers.delete(key);
  }

  /** Forgets every marker. */
  forgetAll(): void {
    this.markers.clear();
  }

  /** Forgets the markers of an endpoint whose paths `covered` accepts (a purge, a removal). */
  forgetCovered(endpointId: string, covered: (path: string) => boolean): void {
    for (const [key, marker] of this.markers) {
      if (marker.endpointId === endpointId && covered(marker.path)) this.markers.delete(key);
    }
  }
}

/** How long to remember a response that could not be shared: its own max-age when it has one. */
export function passSecondsFor(headers: Headers): number {
  const cc = parseCacheControl(headers['cache-control']);
  return cc.sMaxAge ?? cc.maxAge ?? PASS_SECONDS;
}
