/**
 * How user commands reach the API: MOONCDN_API_URL, MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID,
 * MOONCDN_KEY_VALUE (the line `mooncdn serve` prints on first start sets exactly these), or
 * the matching flags; --ca or --insecure for a server with its own TLS certificate.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import type { MooncdnClient, RetryEvent } from '../../client/index.js';

/** A mistake in how the command was called: exit 2 with the command's help. */
export class UsageError extends Error {}

/** The command could not do its work for a reason it explains: exit 1. */
export class CommandError extends Error {}

export interface ConnectionFlags {
  apiUrl?: string;
  subscriptionId?: string;
  keyId?: string;
  keyValue?: string;
  ca?: string;
  tlsServername?: string;
  insecure?: boolean;
  json?: boolean;
}

/** Adds the connection flags and --json to a command that calls the API. */
export function withConnection(command: Command): Command {
  return command
    .option('--api-url <url>', 'Management API URL (MOONCDN_API_URL)')
    .option('--subscription-id <uuid>', 'Subscription (MOONCDN_SUBSCRIPTION_ID)')
    .option('--key-id <id>', 'API key id (MOONCDN_KEY_ID)')
    .option('--key-value <value>', 'API key value (MOONCDN_KEY_VALUE; prefer the variable: flags show in ps)')
    .option('--ca <file>', 'PEM CA certificate to trust for an https:// API URL')
    .option('--tls-servername <name>', 'The name the API certificate covers, when the URL holds an IP address')
    .option('--insecure', 'Skip TLS certificate verification (local testing only)')
    .option('--json', "Print the API's own JSON, one document on stdout");
}

/**
 * The client for these flags. Loaded on first use: the client's HTTP stack (undici) is most of
 * the command's start-up time, and --help or a usage mistake needs none of it.
 */
async function clientFrom(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<MooncdnClient> {
  const settings = {
    baseUrl: flags.apiUrl ?? env.MOONCDN_API_URL,
    subscriptionId: flags.subscriptionId ?? env.MOONCDN_SUBSCRIPTION_ID,
    keyId: flags.keyId ?? env.MOONCDN_KEY_ID,
    keyValue: flags.keyValue ?? env.MOONCDN_KEY_VALUE,
  };
  const names: Record<keyof typeof settings, string> = {
    baseUrl: 'MOONCDN_API_URL (--api-url)',
    subscriptionId: 'MOONCDN_SUBSCRIPTION_ID (--subscription-id)',
    keyId: 'MOONCDN_KEY_ID (--key-id)',
    keyValue: 'MOONCDN_KEY_VALUE (--key-value)',
  };
  const missing = (Object.keys(settings) as (keyof typeof settings)[]).filter((name) => !settings[name]).map((name) => names[name]);
  if (missing.length > 0) {
    throw new UsageError(`Set ${missing.join(', ')}. \`mooncdn serve\` prints an export line with all four on its first start.`);
  }
  if (!/^https?:\/\/[^/?#]+/i.test(settings.baseUrl!) || !URL.canParse(settings.baseUrl!)) {
    throw new UsageError(`${flags.apiUrl !== undefined ? '--api-url' : 'MOONCDN_API_URL'} "${settings.baseUrl}" is not an http:// or https:// URL such as http://127.0.0.1:7070.`);
  }
  let ca: Buffer | undefined;
  if (flags.ca !== undefined) {
    try {
      ca = readFileSync(flags.ca);
    } catch (error) {
      throw new UsageError(`--ca: cannot read "${flags.ca}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    }
  }
  // undici parses HTTP with WebAssembly, and V8's background optimisation of it held every
  // command's exit back ~200 ms after its work was done; a command's few requests run as fast
  // on the baseline compiler. Set before the first request compiles it; the server never gets here.
  setFlagsFromString('--liftoff-only');
  const { MooncdnClient } = await import('../../client/client.js');
  return new MooncdnClient({
    baseUrl: settings.baseUrl!,
    retry: { onRetry: tellRetry },
    subscriptionId: settings.subscriptionId!,
    keyId: settings.keyId!,
    keyValue: settings.keyValue!,
    ...(ca || flags.insecure || flags.tlsServername
      ? {
          tls: {
            ...(ca ? { ca } : {}),
            ...(flags.tlsServername ? { servername: flags.tlsServername } : {}),
            ...(flags.insecure ? { insecureSkipVerify: true } : {}),
          },
        }
      : {}),
  });
}

/**
 * A throttled call waits for its Retry-After and tries again by itself: say so, or the command
 * seems to hang. (The short backoffs of other retries go unsaid.)
 */
function tellRetry(retry: RetryEvent): void {
  if (retry.reason !== 'throttled' && retry.delayMs < 1000) return;
  const why = retry.reason === 'throttled' ? 'The API is throttling this key (429 RequestThrottled)' : retry.reason === 'server' ? `The API answered ${retry.status}` : 'The connection to the API failed';
  const delay = retry.delayMs >= 1000 ? `${Math.ceil(retry.delayMs / 1000)} s` : `${Math.round(retry.delayMs)} ms`;
  process.stderr.write(`${why}; retrying in ${delay} (retry ${retry.attempt}).\n`);
}

/** Runs `work` with a client and closes it. */
export async function withClient<T>(flags: ConnectionFlags, work: (client: MooncdnClient) => Promise<T>): Promise<T> {
  const client = await clientFrom(flags);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
