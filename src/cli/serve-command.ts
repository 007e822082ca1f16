/** `mooncdn serve`: the embedded shape, until SIGTERM or SIGINT. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadServeConfig } from '../config/serve-config.js';
import { envName, SERVE_OPTIONS, type OptionSpec } from '../config/options.js';
import { listeningUrl } from '../api/base-url.js';
import { credentialsFile } from '../server/bootstrap.js';
import { printDevelopmentKey } from './development-key.js';
import type { RunningServer } from '../server/embedded.js';
import type { createLogger } from './logger.js';

export function serveCommand(): Command {
  const command = new Command('serve').description('Run the management API, the operation workers and the embedded edge in one process.');
  addOptions(command, SERVE_OPTIONS);
  command.addHelpText(
    'after',
    `\nEvery flag can also be set as its MOONCDN_* variable. Only in the environment:\n` +
      `  MOONCDN_MASTER_KEY                 encrypts key values and private keys at rest\n` +
      `  MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID, MOONCDN_KEY_VALUE   a subscription and full-scope key to create\n\n` +
      `Example:\n  mooncdn serve --port 7070 --edge-port 8080 --data-dir ./.mooncdn`,
  );
  command.action(async (flags: Record<string, unknown>) => {
    let config;
    try {
      config = loadServeConfig(flags, process.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    // The server is loaded only to run it, so `mooncdn --help` and the user commands start fast.
    const [{ startEmbeddedServer }, { ListenError }, { EdgeListenError }, { StoreInUseError }, { createLogger, flushLogger }] = await Promise.all([
      import('../server/embedded.js'),
      import('../server/listen.js'),
      import('../edge/edge-servers.js'),
      import('../store/serve-lock.js'),
      import('./logger.js'),
    ]);
    const log = createLogger(config.logLevel, config.logFormat);
    let server: RunningServer;
    try {
      server = await startEmbeddedServer(config, log);
    } catch (error) {
      const text = (error as Error).message;
      const known =
        error instanceof ListenError ||
        error instanceof EdgeListenError ||
        error instanceof StoreInUseError ||
        text.startsWith('Cannot open the store') ||
        text.startsWith('A stored secret');
      const message = known ? text : String((error as Error).stack ?? error);
      process.stderr.write(`mooncdn could not start: ${message}\n`);
      await flushLogger(log);
      process.exit(1);
    }
    // Before the banner: whoever waits for it may signal at once, and a signal with no handler
    // kills the process where it stands.
    installShutdown(server, log, flushLogger);
    printBanner(server, config.edgeHost, config.store.kind === 'sqlite' ? config.store.file : 'PostgreSQL', credentialsFile(config.dataDir));
  });
  return command;
}

/** Registers settings as flags (those only read from the environment are left out). */
export function addOptions(command: Command, options: readonly OptionSpec[]): void {
  for (const option of options) {
    if (option.envOnly) continue;
    // A boolean flag alone means true: `--edge-access-log` as much as `--edge-access-log true`.
    const value = option.kind === 'boolean' ? ' [true|false]' : ' <value>';
    const fallback = option.default !== undefined ? `; default ${option.default}` : '';
    command.option(`--${option.flag}${value}`, `${option.description} (${envName(option.flag)}${fallback})`);
  }
}

/**
 * What a person starting the server needs. A development key's value goes where logs are not
 * collected: to stderr when stdout (the JSON log lines) is not a terminal, and to the
 * credentials file.
 */
function printBanner(server: RunningServer, edgeHost: string, storeName: string, savedIn: string): void {
  const lines = [
    `mooncdn is serving the management API at ${server.apiUrl} (store: ${storeName})`,
    `The edge serves endpoints at ${listeningUrl(edgeHost, server.edgeHttpPort, false)} and ${listeningUrl(edgeHost, server.edgeHttpsPort, true)} (by Host header and SNI).`,
  ];
  const credentials = server.credentials;
  // A development key made now is printed after these lines, by printDevelopmentKey.
  if (credentials && !credentials.exportLine) {
    lines.push(`Subscription ${credentials.subscriptionId} with key ${credentials.keyId} is ready.`);
  } else if (!credentials) {
    lines.push(
      existsSync(savedIn)
        ? `Using the subscriptions already in the store; the development key's export line is in ${savedIn}.`
        : 'Using the subscriptions already in the store; `mooncdn admin key create --subscription ID` makes a new key.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  printDevelopmentKey(credentials, savedIn);
}

export function installShutdown(server: { close(): Promise<void> }, log: ReturnType<typeof createLogger>, flushLogger: (log: ReturnType<typeof createLogger>) => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      async () => {
        await flushLogger(log);
        process.exit(0);
      },
      async (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        await flushLogger(log);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
