/**
 * The store: one repository per aggregate over SQLite or PostgreSQL, with migrations run at
 * open and multi-row writes in transactions. Nothing outside this folder writes SQL.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import type { SecretBox } from '../domain/secret-box.js';
import { DIALECTS, type DialectTraits } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { ChangeListener, type OperationsListener } from './notifications.js';
import { openPostgres, runPostgresTransaction } from './postgres.js';
import { ApiKeyRepository } from './repositories/api-keys.js';
import { CertificateRepository } from './repositories/certificates.js';
import { EdgeRepository } from './repositories/edges.js';
import { EndpointRepository } from './repositories/endpoints.js';
import { IdempotencyKeyRepository } from './repositories/idempotency-keys.js';
import { WebhookRepository } from './repositories/webhooks.js';
import { OperationRepository } from './repositories/operations.js';
import { QuotaRepository } from './repositories/quotas.js';
import { SubscriptionRepository } from './repositories/subscriptions.js';
import { TrafficRepository } from './repositories/traffic.js';
import type { Database } from './schema.js';
import { openSqlite, StoreNotFoundError } from './sqlite.js';

export { StoreNotFoundError } from './sqlite.js';

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
  readonly edges: EdgeRepository;
  readonly idempotencyKeys: IdempotencyKeyRepository;
  readonly webhooks: WebhookRepository;
}

/** Writes of credentials made through this process, which another process's counter would not show. */
export interface CredentialWrites {
  count: number;
}

/** Told the id of each operation whose status or items a write changed (inside a transaction: once it commits). */
type OperationChanged = (operationId: string) => void;

function repositories(db: Kysely<Database>, dialect: DialectTraits, secrets: SecretBox, writes: CredentialWrites, changed: OperationChanged): Repositories {
  return {
    subscriptions: new SubscriptionRepository(db, dialect.name, writes),
    apiKeys: new ApiKeyRepository(db, dialect.name, secrets, writes),
    endpoints: new EndpointRepository(db, dialect.name),
    operations: new OperationRepository(db, dialect, changed),
    certificates: new CertificateRepository(db, secrets),
    traffic: new TrafficRepository(db),
    quotas: new QuotaRepository(db),
    edges: new EdgeRepository(db, dialect.name, changed),
    idempotencyKeys: new IdempotencyKeyRepository(db),
    webhooks: new WebhookRepository(db, dialect, secrets),
  };
}

interface QueuedTransaction {
  readonly fn: (tx: Repositories) => Promise<unknown>;
  /** Operations it changed, told once it commits. */
  readonly changed: OperationChanged;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Transactions committed together at most: bounds how long one group holds the connection. */
const MAX_GROUP = 256;

/** The store has every repository as a property (the class merges this interface). */
export interface Store extends Repositories {}

export class Store {
  private constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectTraits,
    private readonly secrets: SecretBox,
    readonly description: string,
    private readonly externalChanges: () => number,
    private readonly listener?: ChangeListener,
  ) {
    // Writes outside a transaction commit at once: their changes are told at once.
    Object.assign(this, repositories(db, dialect, secrets, this.credentialWrites, (id) => this.tellOperationChanged(id)));
  }

  private readonly operationWatchers = new Set<(operationId: string | undefined) => void>();

  private tellOperationChanged(operationId: string | undefined): void {
    for (const watcher of this.operationWatchers) watcher(operationId);
  }

  /**
   * Calls `callback` with the id of an operation whose status or items changed, once the change
   * is committed: at once for writes made through this store, and on PostgreSQL also for other
   * processes' writes (NOTIFY). Called without an id when changes may have been missed (the
   * listener reconnected): every watcher should look again. Returns the unsubscribe.
   */
  onOperationChanged(callback: (operationId: string | undefined) => void): () => void {
    this.operationWatchers.add(callback);
    const unlisten = this.listener?.onOperationChange(callback);
    return () => {
      this.operationWatchers.delete(callback);
      unlisten?.();
    };
  }

  private readonly credentialWrites: CredentialWrites = { count: 0 };

  /**
   * A number that changes whenever API keys or subscriptions may have changed: written through
   * this store (at once), or by another process (SQLite: within 50 ms, by its data_version, which
   * changes exactly when another connection commits; PostgreSQL: as soon as the writer's
   * NOTIFY arrives, or within a second while the listener is down). Caches of these rows key on it.
   */
  changeToken(): number {
    return this.externalChanges() + this.credentialWrites.count * 2 ** 32;
  }

  /**
   * Calls `callback` when an operation may have become runnable in another process (PostgreSQL
   * NOTIFY), and once after the listener reconnects (notices may have been missed). SQLite has
   * one process, whose commands tell its engine directly: a no-op. Returns the unsubscribe.
   */
  onOperationsChanged(callback: OperationsListener): () => void {
    return this.listener?.onOperations(callback) ?? (() => undefined);
  }

  /** Calls `callback` when credentials were written by any process (PostgreSQL only), as onOperationsChanged. */
  onCredentialsChanged(callback: () => void): () => void {
    return this.listener?.onCredentials(callback) ?? (() => undefined);
  }

  /** Whether changes made by other processes are heard at once now (PostgreSQL with its listener up). */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  /** Connections the listener has made so far (0 without one): a reconnection shows here. */
  get listenerConnects(): number {
    return this.listener?.connects ?? 0;
  }

  /**
   * Opens the store, checks that it answers, and brings its schema up to date. With
   * `mustExist`, a store that was never made (no SQLite file, no schema in the database) is
   * StoreNotFoundError rather than made now.
   */
  static async open(location: StoreLocation, secrets: SecretBox, options: { mustExist?: boolean; listen?: boolean } = {}): Promise<Store> {
    const description = location.kind === 'sqlite' ? `SQLite ${location.file}` : `PostgreSQL ${redact(location.connectionString)}`;
    let store: Store | undefined;
    try {
      // Opening SQLite reads the file at once, so a bad path or a file that is not a database
      // fails here: inside the try, to get the same message as every other failure.
      if (location.kind === 'sqlite') {
        const { db, raw } = openSqlite({ file: location.file, mustExist: options.mustExist });
        // Reading data_version costs about as much as a query, so it is read at most every 50 ms.
        const dataVersion = raw.prepare('PRAGMA data_version').pluck();
        let version = 0;
        let readAt = -Infinity;
        store = new Store(db, DIALECTS.sqlite, secrets, description, () => {
          const now = performance.now();
          if (now - readAt > 50) {
            version = dataVersion.get() as number;
            readAt = now;
          }
          return version;
        });
      } else {
        const { db } = openPostgres({ connectionString: location.connectionString });
        // One connection LISTENing for other processes' changes (notifications.ts); one-shot
        // commands (admin) need none. While it is down, credentials are read again every second
        // (negative seconds: never equal to a count of notices).
        const listener = options.listen === false ? undefined : new ChangeListener(location.connectionString);
        const external = (): number => (listener?.listening ? listener.credentialEvents : -Math.floor(Date.now() / 1000));
        store = new Store(db, DIALECTS.postgres, secrets, description, external, listener);
        await listener?.start();
      }
      await store.ping();
      if (options.mustExist && location.kind === 'postgres' && !(await store.hasSchema())) {
        throw new StoreNotFoundError(`no mooncdn store in ${description}`);
      }
      await store.migrate();
    } catch (error) {
      await store?.close().catch(() => undefined);
      if (error instanceof StoreNotFoundError) throw error;
      throw new Error(`Cannot open the store (${description}): ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  private async hasSchema(): Promise<boolean> {
    const { rows } = await sql<{ table: string | null }>`SELECT to_regclass('kysely_migration')::text AS table`.execute(this.db);
    return rows[0]?.table != null;
  }

  /**
   * Runs `fn` in one transaction: all of its writes or none, committed durably before the
   * promise resolves. Inside `fn`, use only `tx` (and never start another transaction): on
   * SQLite the connection is held until `fn` returns.
   *
   * On PostgreSQL, a transaction cut off by a lost connection runs again where that cannot
   * apply it twice (runPostgresTransaction says how).
   *
   * SQLite commits in groups: transactions that arrive while one is committing run together in
   * the next, each inside its own SAVEPOINT (a failure undoes only its own writes), under one
   * BEGIN IMMEDIATE ... COMMIT. Each commit syncs the WAL to disk (synchronous=FULL), so many
   * accepted operations share one fsync instead of waiting for one each.
   */
  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    const changed = new Set<string>();
    const result = await this.runTransaction(fn, (id) => changed.add(id));
    // Only once committed: a watcher told earlier could read the state from before.
    for (const id of changed) this.tellOperationChanged(id);
    return result;
  }

  private runTransaction<T>(fn: (tx: Repositories) => Promise<T>, changed: OperationChanged): Promise<T> {
    if (this.dialect.name === 'postgres') {
      return runPostgresTransaction(this.db, (trx) => fn(repositories(trx, this.dialect, this.secrets, this.credentialWrites, changed)));
    }
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ fn: fn as (tx: Repositories) => Promise<unknown>, changed, resolve: resolve as (value: unknown) => void, reject });
      if (!this.committing) {
        this.committing = true;
        // On the next turn of the event loop: SQLite runs synchronously, so a group started at
        // once would finish before any other request could join it.
        setImmediate(() => void this.commitQueued());
      }
    });
  }

  private readonly queued: QueuedTransaction[] = [];
  private committing = false;

  /** Commits the queued transactions, a group at a time, until none are left. */
  private async commitQueued(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0, MAX_GROUP);
        const outcomes = await this.sqliteImmediate(async (conn) => {
          const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
          for (const job of group) {
            await sql`SAVEPOINT job`.execute(conn);
            try {
              const value = await job.fn(repositories(conn, this.dialect, this.secrets, this.credentialWrites, job.changed));
              await sql`RELEASE job`.execute(conn);
              results.push({ ok: true, value });
            } catch (error) {
              await sql`ROLLBACK TO job`.execute(conn);
              await sql`RELEASE job`.execute(conn);
              results.push({ ok: false, error });
            }
          }
          return results;
        }).catch((error: unknown) => group.map(() => ({ ok: false as const, error })));
        // Only now, after COMMIT (or its failure), does any caller hear back.
        group.forEach((job, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        });
      }
    } finally {
      this.committing = false;
    }
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
    await this.listener?.close();
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
