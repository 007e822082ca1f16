/**
 * `serve` is the whole CDN in one process: its edge is the only edge and its worker the only
 * worker. A second `serve` on the same store would accept operations its own edge carries out
 * while the first one's edge keeps serving what was purged, so the second refuses to start.
 *
 * SQLite: an exclusive lock on a small file beside the database (`<file>-serve.lock`), held by
 * its own connection for the life of the process; the system lets it go when the process ends,
 * however it ends. Admin commands do not take it and use the store alongside.
 * PostgreSQL: a session advisory lock on a connection of its own, taken again if that
 * connection is lost.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { redact, type StoreLocation } from './store.js';

export class StoreInUseError extends Error {}

export interface ServeLock {
  release(): Promise<void>;
}

/** Any fixed number: the advisory lock's key, the same in every mooncdn. */
const ADVISORY_KEY = 0x6d6f6f6e; // "moon"

/** How long a start waits for the lock on PostgreSQL before it refuses. */
const START_WAIT_MS = 2_000;

/** How long to wait before taking the lock again after its connection is lost. */
const RETAKE_MS = 1_000;

export async function takeServeLock(location: StoreLocation, log: Logger): Promise<ServeLock> {
  return location.kind === 'sqlite' ? sqliteLock(location.file) : postgresLock(location.connectionString, log);
}

function sqliteLock(file: string): ServeLock {
  const lockFile = `${file}-serve.lock`;
  // No busy wait: a lock held is an answer, not something to wait out.
  const db = new BetterSqlite3(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in EXCLUSIVE mode it is kept after COMMIT.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS serve_lock (x); COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreInUseError(
        `Another mooncdn serve is running on the store at ${file} (it holds ${lockFile}); stop it, or start this one with another --data-dir.`,
      );
    }
    throw error;
  }
  return {
    async release() {
      db.close();
    },
  };
}

async function postgresLock(connectionString: string, log: Logger): Promise<ServeLock> {
  const where = redact(connectionString);
  let client: pg.Client | undefined;
  let released = false;
  let retake: NodeJS.Timeout | undefined;

  /** Connects and takes the lock; false when another process holds it. */
  const take = async (): Promise<boolean> => {
    const next = new pg.Client({ connectionString });
    next.on('error', () => undefined); // a lost connection is noticed by 'end'
    await next.connect();
    const result = await next.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [ADVISORY_KEY]);
    if (!result.rows[0]!.taken) {
      await next.end().catch(() => undefined);
      return false;
    }
    client = next;
    next.once('end', () => {
      if (released) return;
      client = undefined;
      log.warn({ store: where }, 'lost the connection that holds the serve lock; taking it again');
      retake = setTimeout(retakeLoop, RETAKE_MS);
    });
    return true;
  };

  const retakeLoop = (): void => {
    take()
      .then((taken) => {
        if (!taken) log.error({ store: where }, 'another mooncdn serve took this store while its connection was lost; stop one of them');
      })
      .catch(() => {
        if (!released) retake = setTimeout(retakeLoop, RETAKE_MS);
      });
  };

  // A serve killed a moment ago holds it until its database session notices: wait that long.
  const deadline = Date.now() + START_WAIT_MS;
  while (!(await take())) {
    if (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    throw new StoreInUseError(`Another mooncdn serve is running on the PostgreSQL store ${where}; stop it, or give this one another --database-url.`);
  }
  return {
    async release() {
      released = true;
      clearTimeout(retake);
      await client?.end().catch(() => undefined);
    },
  };
}
