/**
 * `mooncdn admin`: subscriptions and keys, straight on the store (safe while the server runs:
 * SQLite in WAL mode takes one writer at a time, PostgreSQL many). Output is JSON.
 */
import { randomUUID } from 'node:crypto';
import { positiveInteger } from './arguments.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { KEY_ID_PATTERN, KEY_SCOPES, keyProblem, newKeyValue, type ApiKey, type KeyScope } from '../domain/api-key.js';
import { SecretBox } from '../domain/secret-box.js';
import { rawValues, storeLocation } from '../config/serve-config.js';
import { envName } from '../config/options.js';
import type { Store } from '../store/store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AdminError extends Error {}

export function adminCommand(): Command {
  const admin = new Command('admin').description('Manage subscriptions and API keys in the store (JSON output), and see the fleet.');

  const subscription = admin.command('subscription').description('Subscriptions');
  withStore(subscription.command('create').description('Create a subscription').option('--id <uuid>', 'Its id (default: a new UUID)', uuidArg).option('--name <name>', 'A name for people', 'default'))
    .addHelpText('after', '\nExample:\n  mooncdn admin subscription create --name staging')
    .action((opts) =>
      run(opts, async (store) => {
        const id = (opts.id as string | undefined) ?? randomUUID();
        if (await store.subscriptions.get(id)) throw new AdminError(`Subscription ${id} already exists.`);
        const createdAt = Date.now();
        await store.subscriptions.insert({ id, name: opts.name as string, createdAt });
        return { SubscriptionId: id, Name: opts.name, CreatedAt: new Date(createdAt).toISOString() };
      }),
    );
  withStore(subscription.command('list').description('List subscriptions'))
    .addHelpText('after', '\nExample:\n  mooncdn admin subscription list')
    .action((opts) =>
      run(opts, async (store) =>
        (await store.subscriptions.list()).map((s) => ({ SubscriptionId: s.id, Name: s.name, CreatedAt: new Date(s.createdAt).toISOString() })),
      ),
    );

  const key = admin.command('key').description('API keys');
  withStore(
    key
      .command('create')
      .description('Create an API key; its value is printed once')
      .requiredOption('--subscription <uuid>', 'The subscription the key signs for', uuidArg)
      .addOption(new Option('--scope <scope>', 'full: everything; content: reads, purges and preloads; read: reads only').choices(KEY_SCOPES).default('full'))
      .option('--expires <iso>', 'When the key stops working, e.g. 2027-01-01T00:00:00Z', isoArg)
      .option('--rate-per-minute <n>', 'Requests a minute the key may make', positiveInteger)
      .option('--id <keyId>', 'Its id (default: a new UUID)', keyIdArg),
  )
    .addHelpText('after', '\nExample:\n  mooncdn admin key create --subscription 5dd0413d-a2f9-442a-b836-128d87753fa9 --scope content --rate-per-minute 600')
    .action((opts) =>
      run(opts, async (store) => {
        const subscriptionId = (opts.subscription as string).toLowerCase();
        if (!(await store.subscriptions.get(subscriptionId))) throw new AdminError(`Subscription ${subscriptionId} does not exist; see \`mooncdn admin subscription list\`.`);
        const id = (opts.id as string | undefined) ?? randomUUID();
        if (await store.apiKeys.get(id)) throw new AdminError(`Key ${id} already exists.`);
        if (opts.expires !== undefined && (opts.expires as number) <= Date.now()) throw new AdminError('--expires is in the past.');
        const apiKey: ApiKey = {
          id,
          subscriptionId,
          value: newKeyValue(),
          scope: opts.scope as KeyScope,
          expiresAt: (opts.expires as number | undefined) ?? null,
          ratePerMinute: (opts.ratePerMinute as number | undefined) ?? null,
          revokedAt: null,
          createdAt: Date.now(),
        };
        await store.apiKeys.insert(apiKey);
        return { ...describeKey(apiKey), KeyValue: apiKey.value };
      }),
    );
  withStore(key.command('list').description('List the keys of a subscription (never their values)').requiredOption('--subscription <uuid>', 'The subscription', uuidArg))
    .addHelpText('after', '\nExample:\n  mooncdn admin key list --subscription 5dd0413d-a2f9-442a-b836-128d87753fa9')
    .action((opts) => run(opts, async (store) => (await store.apiKeys.listBySubscription((opts.subscription as string).toLowerCase())).map(describeKey)));
  withStore(key.command('revoke').description('Revoke a key: requests signed with it fail with InvalidApiKey').requiredOption('--id <keyId>', 'The key', keyIdArg))
    .addHelpText('after', '\nExample:\n  mooncdn admin key revoke --id 0b5e3c55-54f1-4a8d-a0f5-e6a5c1d2f3a4')
    .action((opts) =>
      run(opts, async (store) => {
        const id = (opts.id as string).toLowerCase();
        if (!(await store.apiKeys.revoke(id, Date.now()))) throw new AdminError(`Key ${id} does not exist.`);
        return { KeyId: id, Revoked: true };
      }),
    );
  withStore(
    admin
      .command('edges')
      .description("The fleet of the scaled shape: each edge's state, applied sequence, lag and last heartbeat")
      .option('--json', 'Print JSON instead of a table'),
  )
    .addHelpText('after', '\nStates: serving; syncing (catching up, passing requests to the origin); fenced (its lease ran out).\n\nExample:\n  mooncdn admin edges --database-url postgres://mooncdn@db.internal/mooncdn')
    .action((opts) =>
      run(
        opts,
        async (store) => {
          const [{ now, edges }, { presentFleet }] = await Promise.all([store.edges.list(), import('../api/presenters.js')]);
          return presentFleet(now, edges).Edges;
        },
        opts.json ? undefined : edgeTable,
      ),
    );
  return admin;
}

function edgeTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return 'No edge has sent a heartbeat to this store (mooncdn edge --nats-url ... --edge-id ...).\n';
  const columns = ['EdgeId', 'Address', 'State', 'AppliedSequence', 'Lag', 'HeartbeatAgeSeconds'];
  const headers = ['EDGE', 'ADDRESS', 'STATE', 'APPLIED', 'LAG', 'HEARTBEAT'];
  const cells = rows.map((row) => columns.map((column) => (column === 'HeartbeatAgeSeconds' ? `${(row[column] as number).toFixed(1)} s ago` : String(row[column]))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((line) => line[i]!.length)));
  return [headers, ...cells].map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function describeKey(key: ApiKey) {
  const problem = keyProblem(key, Date.now());
  return {
    KeyId: key.id,
    SubscriptionId: key.subscriptionId,
    Scope: key.scope,
    ExpiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
    RatePerMinute: key.ratePerMinute,
    CreatedAt: new Date(key.createdAt).toISOString(),
    Status: problem ?? 'active',
  };
}

function withStore(command: Command): Command {
  return command
    .option('--data-dir <dir>', `Where the SQLite store lives (${envName('data-dir')}; default ./.mooncdn)`)
    .option('--database-url <url>', `postgres://... to use PostgreSQL (${envName('database-url')})`);
}

async function run<T>(opts: Record<string, unknown>, work: (store: Store) => Promise<T>, print: (value: T) => string = (value) => `${JSON.stringify(value, null, 2)}\n`): Promise<void> {
  const raw = rawValues({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, process.env);
  const problems: string[] = [];
  const location = storeLocation(raw, problems, (flag) => `--${flag}`);
  if (problems.length > 0) throw new AdminError(problems.join(' '));
  // Loaded here, not at start: the store's drivers are most of the command's start-up time.
  const [{ Store, StoreNotFoundError }, { dataDirWarning }] = await Promise.all([import('../store/store.js'), import('../store/sqlite.js')]);
  // Run in the wrong directory, a new empty store would answer "[]" as if that were the truth.
  let store: Store;
  try {
    store = await Store.open(location, new SecretBox(process.env[envName('master-key')] || undefined), { mustExist: true, listen: false });
  } catch (error) {
    // Store.open says what went wrong and where; no stack trace.
    if (!(error instanceof StoreNotFoundError)) throw new AdminError((error as Error).message);
    throw new AdminError(`${error.message}; start the server first (mooncdn serve), or pass --data-dir or --database-url (${envName('data-dir')}, ${envName('database-url')}) to name its store.`);
  }
  process.stderr.write(`mooncdn admin: using the store ${store.description}\n`);
  if (location.kind === 'sqlite') {
    const warning = dataDirWarning(location.file);
    if (warning) process.stderr.write(`${warning}\n`);
  }
  try {
    process.stdout.write(print(await work(store)));
  } finally {
    await store.close();
  }
}

function uuidArg(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('must be a UUID.');
  return value.toLowerCase();
}

function keyIdArg(value: string): string {
  if (!KEY_ID_PATTERN.test(value)) throw new InvalidArgumentError('must be 1 to 128 letters, digits, dots, hyphens or underscores.');
  return value.toLowerCase();
}

function isoArg(value: string): number {
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) throw new InvalidArgumentError('must be an ISO 8601 time such as 2027-01-01T00:00:00Z.');
  return time;
}
