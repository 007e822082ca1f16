/**
 * The scaled store: PostgreSQL through a pg pool, which rides out lost connections (a
 * failover, a restart, pg_terminate_backend).
 */
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { isConnectionLost, StoreUnavailableError } from './unavailable.js';

// Times and counters are BIGINT; they fit in a double, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  readonly connectionString: string;
  readonly maxConnections?: number;
}

export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // A client whose connection breaks emits 'error', and an 'error' nobody hears ends the
  // process. pg-pool listens on idle clients only, while Kysely holds a client checked out
  // between the queries of a transaction: so every client gets a listener when it is made. The
  // error is not lost: the client's next query fails with it, and the pool drops the client
  // when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  // A connection that cannot be made is the store being away, whatever PostgreSQL says why
  // (refused, not accepting connections, database gone).
  const connecting = {
    connect: () => pool.connect().catch((error: unknown) => Promise.reject(new StoreUnavailableError(false, { cause: error }))),
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: connecting }) });
  return { db, pool };
}

const MAX_ATTEMPTS = 3;

/**
 * Runs `work` in a transaction. When the connection is lost, it runs again on another
 * connection, but only where that cannot apply it twice:
 * - lost before COMMIT was sent, or in a transaction that wrote nothing: nothing was applied,
 *   so it runs again;
 * - lost during the COMMIT of a transaction that wrote: the commit may or may not have
 *   happened. Running it again blindly could accept an operation twice, and giving up could
 *   answer an error for an operation that was accepted (and will run). So the transaction's id
 *   is taken before COMMIT, and PostgreSQL is asked on a new connection what became of it
 *   (pg_xact_status, made for exactly this): committed, the result stands; aborted, it runs
 *   again; and if the store cannot say, StoreUnavailableError with `outcomeUnknown`, which the
 *   API answers with a 503 that says so.
 * It tries MAX_ATTEMPTS times at most: the pool may still hold idle connections that went at
 * the same moment (their end not yet read), and the next attempt may get one of them. Still
 * lost after that, or the store out of reach, is StoreUnavailableError.
 */
export async function runPostgresTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    // Set once `work` is done, just before COMMIT: what it returned, and the transaction's id
    // if it wrote anything.
    const committing: { value?: T; xid?: string | null } = {};
    try {
      return await db.transaction().execute(async (trx) => {
        const value = await work(trx);
        const { rows } = await sql<{ xid: string | null }>`SELECT pg_current_xact_id_if_assigned()::text AS xid`.execute(trx);
        committing.value = value;
        committing.xid = rows[0]?.xid ?? null;
        return value;
      });
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      if (committing.xid) {
        const status = await transactionStatus(db, committing.xid);
        if (status === 'committed') return committing.value as T;
        if (status !== 'aborted') throw new StoreUnavailableError(true, { cause: error });
      }
      if (attempt === MAX_ATTEMPTS) throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(false, { cause: error });
    }
  }
}

/**
 * What became of a transaction: 'committed', 'aborted', or undefined when the store cannot
 * say within a few seconds. A transaction whose backend was just terminated is 'in progress'
 * until that backend has exited, which takes moments; and the pool may still hold idle
 * connections that went at the same time, whose queries fail.
 */
async function transactionStatus(db: Kysely<Database>, xid: string): Promise<string | undefined> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    try {
      const { rows } = await sql<{ status: string | null }>`SELECT pg_xact_status(${xid}::xid8) AS status`.execute(db);
      const status = rows[0]?.status ?? undefined;
      if (status !== 'in progress') return status;
    } catch (error) {
      if (!isConnectionLost(error)) return undefined;
    }
    if (Date.now() > deadline) return undefined;
    await delay(20);
  }
}
