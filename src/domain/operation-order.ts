/**
 * The order operations of one endpoint take effect in (CONTRACT §4: acceptance order, wherever
 * a client could tell). They wait in three lanes:
 *
 * - setting changes (create, update, enable, disable, rules, access control, binding, delete)
 *   wait for every operation accepted before them, and hold back every one accepted after;
 * - purges run one group at a time, and may overtake an earlier purge or preload when they
 *   drop none of that preload's URLs: purges commute with each other, and nobody can tell that
 *   a purge of other URLs overtook a preload, which need not wait on an unrelated origin;
 * - preloads run one at a time and wait for every purge accepted before them.
 */
import type { OperationType } from '../contract/schemas/operation.js';
import { compilePattern, isPathPattern, matchesPattern, purgePatternOf } from './path-pattern.js';
import type { ItemKind } from './operation.js';

export type Lane = 'change' | 'purge' | 'fetch';

/** The one type of each of the purge and fetch lanes; every other type is a setting change. */
export const LANE_TYPES = { purge: 'Purge', fetch: 'Preload' } as const satisfies Record<Exclude<Lane, 'change'>, OperationType>;

export function laneOf(type: OperationType): Lane {
  return type === LANE_TYPES.purge ? 'purge' : type === LANE_TYPES.fetch ? 'fetch' : 'change';
}

/** The oldest unfinished operation of a lane of an endpoint. */
export interface LaneHead {
  readonly id: string;
  readonly seq: number;
  /** No live lease: nobody runs it (not started, or its worker died). */
  readonly free: boolean;
}

/** An endpoint's queue, as far as deciding what may start needs it. */
export interface EndpointQueue {
  readonly change?: LaneHead;
  readonly purge?: LaneHead;
  readonly fetch?: LaneHead;
  /** A purge of the endpoint is running (under a live lease). */
  readonly purgeRunning: boolean;
}

export interface Startable {
  /** Operations that may start now. */
  readonly ids: readonly string[];
  /**
   * The oldest purge waits for a preload it touches: a purge accepted after it (and before
   * this sequence number: the next setting change) may start instead, if it touches no preload.
   */
  readonly searchPurgesBefore?: number;
}

/** What may start now in one endpoint's queue. */
export function startable(queue: EndpointQueue): Startable {
  const { change, purge, fetch } = queue;
  const before = (head: LaneHead | undefined, other: LaneHead | undefined) => other === undefined || head!.seq < other.seq;
  const ids: string[] = [];
  if (change?.free && before(change, purge) && before(change, fetch)) ids.push(change.id);
  if (fetch?.free && before(fetch, change) && before(fetch, purge)) ids.push(fetch.id);
  if (purge && before(purge, change) && !queue.purgeRunning) {
    if (before(purge, fetch)) {
      if (purge.free) ids.push(purge.id);
    } else {
      return { ids, searchPurgesBefore: change?.seq ?? Number.MAX_SAFE_INTEGER };
    }
  }
  return { ids };
}

/**
 * Whether purging `purged` drops any of the `fetched` paths: a file by its path (a purge drops
 * every query variant), a directory by prefix, a wildcard pattern by matching (path-pattern.ts).
 * Paths are in the normal form of url-path.ts. A tag may be on any response, which only the
 * edges learn when they fetch it: a tag purge touches every preload.
 */
export function purgeTouches(purged: readonly { readonly kind: ItemKind; readonly path: string }[], fetched: readonly string[]): boolean {
  if (fetched.length === 0) return false;
  const paths = new Set(fetched);
  return purged.some((item) => {
    if (item.kind === 'tag') return true;
    if (isPathPattern(item.path)) {
      const pattern = compilePattern(purgePatternOf(item.kind, item.path));
      return fetched.some((path) => matchesPattern(pattern, path));
    }
    return item.kind === 'file' ? paths.has(item.path) : fetched.some((path) => path.startsWith(item.path));
  });
}
