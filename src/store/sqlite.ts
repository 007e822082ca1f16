/**
 * The embedded store: one SQLite file in the data dir, in WAL mode. Key values and private
 * keys are in it (in clear without MOONCDN_MASTER_KEY), so the dir it creates is 0700 and the
 * database files are 0600.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';

export interface SqliteOptions {
  /** A file path, or ':memory:' for tests. */
  readonly file: string;
  /** Refuse to create the file (StoreNotFoundError) rather than start a new, empty store. */
  readonly mustExist?: boolean;
}

export class StoreNotFoundError extends Error {}

/** The database file and those SQLite keeps beside it in WAL mode. */
const SUFFIXES = ['', '-wal', '-shm'];

export function openSqlite(options: SqliteOptions): { db: Kysely<Database>; raw: BetterSqlite3.Database } {
  const { file } = options;
  if (file !== ':memory:') {
    if (options.mustExist && !existsSync(file)) throw new StoreNotFoundError(`no mooncdn store at ${file}`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Made 0600 before SQLite opens it: SQLite gives the -wal and -shm files it makes the
    // database file's mode.
    closeSync(openSync(file, 'a', 0o600));
  }
  const raw = new BetterSqlite3(file);
  try {
    // WAL lets the admin CLI and the server use the file at once. synchronous=FULL syncs the
    // WAL at every commit, so an operation is on disk before its 202 is sent, even across
    // power loss.
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
    if (file !== ':memory:') restrict(file);
  } catch (error) {
    // Not a database, or not readable: do not leak the handle.
    raw.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, raw };
}

/** Files of an older start may have been made with a wider mode. */
function restrict(file: string): void {
  for (const path of SUFFIXES.map((suffix) => file + suffix)) {
    try {
      chmodSync(path, 0o600);
    } catch {
      // Missing, or another user's (the admin command run by someone else): left as it is.
    }
  }
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

/** What to tell the operator when other users may read the data dir (it is theirs to change). */
export function dataDirWarning(file: string): string | undefined {
  const dir = dirname(file);
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `The data dir ${dir} is open to other users (mode ${mode.toString(8)}), and the store in it holds API key values: chmod 700 ${dir}.`;
}
