/**
 * Stopping HTTP(S) servers as SIGTERM promises: no new connection, an answer to every request
 * already received, no connection left. Used for the edge's listeners and the API's.
 *
 * Node's `server.close()` alone is not that. Closing the listening socket resets every
 * connection the kernel has completed but Node has not accepted yet, and their clients have
 * sent their requests: Node accepts such a queue one connection per turn of the event loop. And
 * it closes at once the connections it counts as idle, among them any just accepted whose
 * request has arrived but not been read (that takes the next turn). So: every answer from now
 * on ends its connection; the listener stays open until QUIET_TURNS turns in a row accept
 * nothing (the queue is then empty, and what arrived on it read), then closes with the idle
 * connections; connections that go idle later (a response begun before the signal) are closed
 * as they do.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Two, and one more: the first may be the rest of the turn the signal came in, which polls no more. */
const QUIET_TURNS = 3;
/** Listening stops after this even if connections keep coming. */
const MAX_LISTENING_MS = 1_000;
/** How often connections that went idle during the drain are closed. */
const SWEEP_MS = 100;

const lastOnItsConnection = (_req: IncomingMessage, res: ServerResponse): void => {
  res.shouldKeepAlive = false;
};

/** Resolves when every server has stopped and its last connection ended; after `graceMs` connections still open are cut. */
export async function drainServers(servers: readonly Server[], graceMs: number): Promise<void> {
  const started = performance.now();
  let connections = 0;
  const connected = () => connections++;
  for (const server of servers) {
    server.prependListener('request', lastOnItsConnection);
    server.on('connection', connected);
  }
  // Each turn polls for I/O (a queued connection is accepted) before its immediates run.
  for (let quiet = 0; quiet < QUIET_TURNS && performance.now() - started < MAX_LISTENING_MS; ) {
    const before = connections;
    await new Promise((resolve) => setImmediate(resolve));
    quiet = connections === before ? quiet + 1 : 0;
  }
  const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
  const sweeper = setInterval(() => servers.forEach((server) => server.closeIdleConnections()), SWEEP_MS);
  const cutOff = setTimeout(() => servers.forEach((server) => server.closeAllConnections()), graceMs);
  await Promise.all(closed);
  clearInterval(sweeper);
  clearTimeout(cutOff);
  for (const server of servers) {
    server.removeListener('request', lastOnItsConnection);
    server.removeListener('connection', connected);
  }
}

