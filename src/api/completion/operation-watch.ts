/**
 * Waiting for an operation to change (extension: long-poll and event streams). Requests wait
 * here; the store tells this watch of every committed change to an operation's status or items,
 * made in this process (at once) or, on PostgreSQL, in any other (NOTIFY). Nothing polls the
 * store while notices are heard: a waiter is woken by its operation's change, by its own
 * timeout, or by its client leaving (its signal), and is then gone from the map.
 */
import type { Store } from '../../store/store.js';

/** How a wait ended. */
export type WakeReason = 'changed' | 'timeout' | 'aborted';

export interface PendingWake {
  readonly reason: Promise<WakeReason>;
  /** Stops waiting now (the caller has what it needs); the promise settles as 'aborted'. */
  cancel(): void;
}

/**
 * While PostgreSQL's listener is down, another process's change would go unheard: waiters then
 * look again this often (the store's listener reconnects by itself, and wakes them all when it has).
 */
export const UNHEARD_RECHECK_MS = 1_000;

export class OperationWatch {
  private readonly waiters = new Map<string, Set<(reason: WakeReason) => void>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Pick<Store, 'onOperationChanged' | 'listening' | 'dialect'>) {
    this.unsubscribe = store.onOperationChanged((operationId) => {
      if (operationId === undefined) for (const id of [...this.waiters.keys()]) this.wake(id);
      else this.wake(operationId);
    });
  }

  /** Requests waiting now (a client that left leaves none behind). */
  get waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  /**
   * Starts waiting for a change to the operation, for at most `timeoutMs`. Call it before
   * reading the operation, then await `reason` if what was read is not yet what is wanted: a
   * change committed between the read and the await is not missed.
   */
  next(operationId: string, timeoutMs: number, signal?: AbortSignal): PendingWake {
    let settle!: (reason: WakeReason) => void;
    const reason = new Promise<WakeReason>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (why: WakeReason): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = this.waiters.get(operationId);
        set?.delete(done);
        if (set?.size === 0) this.waiters.delete(operationId);
        resolve(why);
      };
      const onAbort = (): void => done('aborted');
      settle = done;
      if (signal?.aborted) return done('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const unheard = this.store.dialect.name === 'postgres' && !this.store.listening;
      timer = setTimeout(done, Math.max(0, unheard ? Math.min(timeoutMs, UNHEARD_RECHECK_MS) : timeoutMs), unheard && timeoutMs > UNHEARD_RECHECK_MS ? 'changed' : 'timeout');
      let set = this.waiters.get(operationId);
      if (!set) this.waiters.set(operationId, (set = new Set()));
      set.add(done);
    });
    return { reason, cancel: () => settle('aborted') };
  }

  /** Wakes every waiter (the server is closing: each answers with what it has). */
  close(): void {
    this.unsubscribe();
    for (const id of [...this.waiters.keys()]) this.wake(id, 'aborted');
  }

  private wake(operationId: string, reason: WakeReason = 'changed'): void {
    const set = this.waiters.get(operationId);
    if (!set) return;
    for (const done of [...set]) done(reason);
  }
}
