/**
 * `mooncdn api`, `mooncdn worker` and `mooncdn edge`: the scaled shape's processes (README,
 * "Running on several hosts"), until SIGTERM or SIGINT. Each takes the settings that concern it.
 */
import { Command } from 'commander';
import type { Logger } from 'pino';
import { FLEET_OPTIONS, SCALED_COMMAND_DESCRIPTIONS, SCALED_COMMAND_OPTIONS, SERVE_OPTIONS, type OptionSpec } from '../config/options.js';
import { loadFleetConfig, type FleetConfig } from '../config/fleet-config.js';
import { ConfigError, loadServeConfig, type ServeConfig } from '../config/serve-config.js';
import { addOptions, installShutdown } from './serve-command.js';
import { printDevelopmentKey } from './development-key.js';
import { credentialsFile } from '../server/bootstrap.js';

type Kind = keyof typeof SCALED_COMMAND_OPTIONS;

const DESCRIPTIONS: Record<Kind, { description: string; example: string }> = {
  api: {
    description: 'Run the management API alone on PostgreSQL (scaled shape; any number behind a load balancer).',
    example: 'mooncdn api --database-url postgres://mooncdn@db.internal/mooncdn --host 0.0.0.0 --port 7070',
  },
  worker: {
    description: 'Run the operation workers on PostgreSQL, driving the edges through NATS JetStream (scaled shape; any number).',
    example: 'mooncdn worker --database-url postgres://mooncdn@db.internal/mooncdn --nats-url nats://nats.internal:4222',
  },
  edge: {
    description: 'Run one edge (its own cache, TLS and meter), attached to the control plane through NATS only (scaled shape; one per host).',
    example: 'mooncdn edge --nats-url tls://nats.internal:4222 --nats-creds /etc/mooncdn/edge.creds --edge-id edge-fra-1 --edge-host 0.0.0.0 --edge-port 80 --edge-tls-port 443',
  },
};

export function scaledCommand(kind: Kind): Command {
  const { description, example } = DESCRIPTIONS[kind];
  const command = new Command(kind).description(description);
  const wanted = SCALED_COMMAND_OPTIONS[kind];
  const ownWords = SCALED_COMMAND_DESCRIPTIONS[kind] as Record<string, string | undefined>;
  const serveOptions = (SERVE_OPTIONS as readonly OptionSpec[])
    .filter((o) => (wanted.serve as readonly string[]).includes(o.flag))
    .map((o) => (ownWords[o.flag] ? { ...o, description: ownWords[o.flag]! } : o));
  const fleetOptions = (FLEET_OPTIONS as readonly OptionSpec[]).filter((o) => (wanted.fleet as readonly string[]).includes(o.flag));
  addOptions(command, [...serveOptions, ...fleetOptions]);
  const envOnly = [...serveOptions, ...fleetOptions].filter((o) => o.envOnly).map((o) => `  MOONCDN_${o.flag.toUpperCase().replace(/-/g, '_').padEnd(24)} ${o.description}`);
  command.addHelpText('after', `\nEvery flag can also be set as its MOONCDN_* variable.${envOnly.length ? ` Only in the environment:\n${envOnly.join('\n')}` : ''}\n\nExample:\n  ${example}`);
  command.action(async (flags: Record<string, unknown>) => {
    let config: ServeConfig;
    let fleet: FleetConfig;
    try {
      config = loadServeConfig(flags, process.env);
      fleet = loadFleetConfig(flags, process.env);
      if (kind !== 'edge' && config.store.kind !== 'postgres') {
        throw new ConfigError([`mooncdn ${kind} runs on PostgreSQL: set --database-url (MOONCDN_DATABASE_URL). For one process on SQLite, use mooncdn serve.`]);
      }
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    const [{ createLogger, flushLogger }, { ListenError }, { EdgeListenError }, { NatsCredentialsError }] = await Promise.all([
      import('./logger.js'),
      import('../server/listen.js'),
      import('../edge/edge-servers.js'),
      import('../fleet/nats/connection.js'),
    ]);
    const log = createLogger(config.logLevel, config.logFormat).child({ process: kind });
    try {
      const running = await start(kind, config, fleet, log);
      installShutdown(running, log, flushLogger);
      process.stdout.write(`${running.banner}\n`);
      running.afterBanner?.();
    } catch (error) {
      const text = (error as Error).message;
      const known = error instanceof ListenError || error instanceof EdgeListenError || error instanceof NatsCredentialsError || text.startsWith('Cannot open the store') || text.startsWith('A stored secret');
      process.stderr.write(`mooncdn ${kind} could not start: ${known ? text : String((error as Error).stack ?? error)}\n`);
      await flushLogger(log);
      process.exit(1);
    }
  });
  return command;
}

async function start(kind: Kind, config: ServeConfig, fleet: FleetConfig, log: Logger) {
  if (kind === 'api') {
    const { startApiProcess } = await import('../server/api-process.js');
    const api = await startApiProcess(config, fleet, log);
    // A development key made now (an empty database, no MOONCDN_KEY_*) is shown once, after the banner.
    const credentials = api.credentials && !api.credentials.exportLine ? ` Subscription ${api.credentials.subscriptionId} with key ${api.credentials.keyId} is ready.` : '';
    return {
      close: () => api.close(),
      banner: `mooncdn api is serving the management API at ${api.apiUrl} (store: PostgreSQL).${credentials}`,
      afterBanner: () => printDevelopmentKey(api.credentials, credentialsFile(config.dataDir)),
    };
  }
  if (kind === 'worker') {
    const { startWorker } = await import('../server/worker-process.js');
    const worker = await startWorker(config, fleet, log);
    return { close: () => worker.close(), banner: `mooncdn worker ${worker.workerId} is running operations (store: PostgreSQL, NATS: ${fleet.nats.url}).` };
  }
  const { startEdge } = await import('../server/edge-process.js');
  const edge = await startEdge(config, fleet, log);
  const status = edge.statusPort === undefined ? '' : `; /readyz and /metrics on port ${edge.statusPort}`;
  return {
    close: () => edge.close(),
    banner: `mooncdn edge "${edge.edgeId}" listens on ${config.edgeHost} ports ${edge.httpPort} (HTTP) and ${edge.httpsPort} (HTTPS)${status}; it serves from cache once it has caught up with the fleet (NATS: ${fleet.nats.url}).`,
  };
}
