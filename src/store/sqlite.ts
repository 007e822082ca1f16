/** The embedded store: one SQLite file in the data dir, in WAL mode. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';

export interface SqliteOptions {
  /** A file path, or ':memory:' for tests. */
  readonly file: string;
}

export function openSqlite(options: SqliteOptions): { db: Kysely<Database>; raw: BetterSqlite3.Database } {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const raw = new BetterSqlite3(options.file);
  try {
    // WAL lets the admin CLI and the server use the file at once. synchronous=FULL syncs the
    // WAL at every commit, so an operation is on disk before its 202 is sent, even across
    // power loss.
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
  } catch (error) {
    // Not a database, or not readable: do not leak the handle.
    raw.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, raw };
}

/** Statements kept prepared; Kysely writes a small, fixed set of SQL texts, so this stays small. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely prepares every query afresh; preparing costs more than running a primary-key lookup.
 * Statements are reusable, so keep them by their SQL text.
 */
function withStatementCache(raw: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statement = raw.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
