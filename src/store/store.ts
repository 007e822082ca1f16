/**
 * The store: one repository per aggregate over SQLite or PostgreSQL, with migrations run at
 * open and multi-row writes in transactions. Nothing outside this folder writes SQL.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import type { SecretBox } from '../domain/secret-box.js';
import { DIALECTS, type DialectTraits } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgres } from './postgres.js';
import { ApiKeyRepository } from './repositories/api-keys.js';
import { CertificateRepository } from './repositories/certificates.js';
import { EndpointRepository } from './repositories/endpoints.js';
import { OperationRepository } from './repositories/operations.js';
import { QuotaRepository } from './repositories/quotas.js';
import { SubscriptionRepository } from './repositories/subscriptions.js';
import { TrafficRepository } from './repositories/traffic.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly connectionString: string };

export interface Repositories {
  readonly subscriptions: SubscriptionRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly endpoints: EndpointRepository;
  readonly operations: OperationRepository;
  readonly certificates: CertificateRepository;
  readonly traffic: TrafficRepository;
  readonly quotas: QuotaRepository;
}

function repositories(db: Kysely<Database>, dialect: DialectTraits, secrets: SecretBox): Repositories {
  return {
    subscriptions: new SubscriptionRepository(db),
    apiKeys: new ApiKeyRepository(db, secrets),
    endpoints: new EndpointRepository(db),
    operations: new OperationRepository(db, dialect),
    certificates: new CertificateRepository(db, secrets),
    traffic: new TrafficRepository(db),
    quotas: new QuotaRepository(db),
  };
}

/** The store has every repository as a property (the class merges this interface). */
export interface Store extends Repositories {}

export class Store {
  private constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectTraits,
    private readonly secrets: SecretBox,
    readonly description: string,
  ) {
    Object.assign(this, repositories(db, dialect, secrets));
  }

  /** Opens the store, checks that it answers, and brings its schema up to date. */
  static async open(location: StoreLocation, secrets: SecretBox): Promise<Store> {
    const description = location.kind === 'sqlite' ? `SQLite ${location.file}` : `PostgreSQL ${redact(location.connectionString)}`;
    let store: Store | undefined;
    try {
      // Opening SQLite reads the file at once, so a bad path or a file that is not a database
      // fails here: inside the try, to get the same message as every other failure.
      store =
        location.kind === 'sqlite'
          ? new Store(openSqlite({ file: location.file }).db, DIALECTS.sqlite, secrets, description)
          : new Store(openPostgres({ connectionString: location.connectionString }).db, DIALECTS.postgres, secrets, description);
      await store.ping();
      await store.migrate();
    } catch (error) {
      await store?.close().catch(() => undefined);
      throw new Error(`Cannot open the store (${description}): ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  /**
   * Runs `fn` in one transaction. SQLite takes the write lock at BEGIN (IMMEDIATE), so a
   * transaction that reads and then writes never fails half-way on another process's write.
   * Inside `fn`, use only `tx`: the SQLite connection is held until it returns.
   */
  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.dialect.name === 'postgres') {
      return this.db.transaction().execute((trx) => fn(repositories(trx, this.dialect, this.secrets)));
    }
    return this.sqliteImmediate((conn) => fn(repositories(conn, this.dialect, this.secrets)));
  }

  /** Runs `fn` on the one SQLite connection inside BEGIN IMMEDIATE ... COMMIT. */
  private sqliteImmediate<T>(fn: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`COMMIT`.execute(conn);
        return result;
      } catch (error) {
        await sql`ROLLBACK`.execute(conn);
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * Brings the schema up to date, all or nothing. On PostgreSQL Kysely's Migrator takes an
   * advisory lock and runs in a transaction. For SQLite it does neither (its adapter declares
   * no transactional DDL), so a crash half-way would leave tables that no migration records,
   * and two processes starting on a new file would both create them: there the whole run goes
   * in one BEGIN IMMEDIATE, which SQLite's transactional DDL allows and which makes a second
   * process wait for the first. A schema already up to date is only read (Kysely still checks
   * that it knows every migration recorded), so that takes no write lock.
   */
  private async migrate(): Promise<void> {
    const provider = migrationProvider(this.dialect);
    const run = async (db: Kysely<Database>): Promise<void> => {
      const migrator = new Migrator({ db, provider });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error');
        throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
      }
    };
    if (this.dialect.name === 'postgres') return run(this.db);
    const pending = (await new Migrator({ db: this.db, provider }).getMigrations()).filter((m) => m.executedAt === undefined);
    return pending.length === 0 ? run(this.db) : this.sqliteImmediate(run);
  }
}

/** The connection string without its password, for messages and logs. */
export function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
