/**
 * One NATS connection as every process of the scaled shape makes it: to the servers of
 * --nats-url, with the credentials given (none on a NATS server without authentication), over
 * TLS when the URL says tls:// or a CA is given, reconnecting for ever. A dead link is noticed
 * within about a second (pings), so the fleet's leases, not TCP timeouts, decide what happens.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export interface NatsSettings {
  /** One URL or several, comma separated (nats://host:4222, tls://host:4222). */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** A .creds file (NKey and JWT), as `nsc` writes it. */
  readonly credsFile?: string;
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

export async function connectNats(settings: NatsSettings, name: string, log: Logger, inboxPrefix?: string): Promise<NatsConnection> {
  const servers = settings.url.split(',').map((url) => url.trim()).filter(Boolean);
  const tls = settings.tlsCaFile || settings.tlsCertFile ? { caFile: settings.tlsCaFile, certFile: settings.tlsCertFile, keyFile: settings.tlsKeyFile } : undefined;
  const nc = await connect({
    servers,
    name,
    ...(settings.user !== undefined ? { user: settings.user, pass: settings.password ?? '' } : {}),
    ...(settings.token !== undefined ? { token: settings.token } : {}),
    ...(settings.credsFile ? { authenticator: credsAuthenticator(readFileSync(settings.credsFile)) } : {}),
    ...(tls ? { tls } : {}),
    ...(inboxPrefix ? { inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 1_000,
    maxPingOut: 2,
    // A process may start before NATS does; it keeps trying rather than exit.
    waitOnFirstConnect: true,
  }).catch((error: unknown) => {
    const reason = (error as Error).message;
    if (/authorization|authentication|permission/i.test(reason)) {
      throw new NatsCredentialsError(`NATS at ${settings.url} refused the credentials (${reason}); check --nats-user and MOONCDN_NATS_PASSWORD, MOONCDN_NATS_TOKEN or --nats-creds.`);
    }
    throw error;
  });
  void watchStatus(nc, log);
  return nc;
}

/** NATS refused who we said we were: a setting to fix, not a fault to wait out. */
export class NatsCredentialsError extends Error {}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') log.warn({ server: status.server }, 'lost the NATS connection; reconnecting');
    else if (status.type === 'reconnect') log.info({ server: status.server }, 'NATS connection back');
    else if (status.type === 'error') log.warn({ err: status.error }, 'NATS connection error');
  }
}

/** Calls `then` after every reconnection (pulls in flight are lost with a link: readers read anew). */
export async function afterReconnect(nc: NatsConnection, then: () => void): Promise<void> {
  for await (const status of nc.status()) if (status.type === 'reconnect') then();
}
