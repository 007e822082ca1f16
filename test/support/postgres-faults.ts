/**
 * Faults of a test database, made from a separate admin connection as a failover or a restart
 * would make them: its backends terminated, or connections to it refused for a while.
 */
import pg from 'pg';
import { ADMIN_URL } from './postgres.js';

export function databaseName(connectionString: string): string {
  return new URL(connectionString).pathname.slice(1);
}

async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Terminates every backend connected to the database; resolves with how many there were. */
export function terminateBackends(database: string): Promise<number> {
  return asAdmin(async (admin) => {
    const result = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return result.rowCount ?? 0;
  });
}

/** Refuses new connections to the database (or allows them again); with `false`, also ends the current ones. */
export async function allowConnections(database: string, allowed: boolean): Promise<void> {
  await asAdmin((admin) => admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS ${allowed}`));
  if (!allowed) await terminateBackends(database);
}
