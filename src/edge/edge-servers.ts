/**
 * The edge's listeners: HTTP, and HTTPS that picks by SNI the certificate bound to the
 * requested CustomDomain (a name with no bound certificate fails the handshake).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { LISTEN_BACKLOG } from './listen-backlog.js';
import { drainServers } from './drain.js';
import type { EdgeNode } from './edge-node.js';

export interface EdgeListeners {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly servers: readonly Server[];
  /** Stops accepting and answers what was received (drain.ts); after `graceMs` what is left is cut off. */
  close(graceMs?: number): Promise<void>;
}

export async function listenEdge(edge: EdgeNode, host: string, httpPort: number, httpsPort: number): Promise<EdgeListeners> {
  const http = createHttpServer({ keepAliveTimeout: 65_000 }, edge.handle);
  const https = createHttpsServer(
    {
      SNICallback: (servername, callback) => {
        const context = edge.secureContextFor(servername);
        if (context) callback(null, context);
        else callback(new Error(`no certificate is bound to ${servername}`));
      },
    },
    edge.handle,
  );
  await listenOn(http, host, httpPort, '--edge-port (MOONCDN_EDGE_PORT)');
  try {
    await listenOn(https, host, httpsPort, '--edge-tls-port (MOONCDN_EDGE_TLS_PORT)');
  } catch (error) {
    http.close();
    throw error;
  }
  const servers = [http, https];
  return {
    httpPort: (http.address() as AddressInfo).port,
    httpsPort: (https.address() as AddressInfo).port,
    servers,
    close: (graceMs = 5_000) => drainServers(servers, graceMs),
  };
}

export class EdgeListenError extends Error {}

function listenOn(server: Server, host: string, port: number, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new EdgeListenError(`Port ${port} on ${host} is already in use, so the edge cannot start; choose another with ${setting}.`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new EdgeListenError(`${host} is not an address of this machine; set --edge-host (MOONCDN_EDGE_HOST).`));
      } else reject(error);
    });
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
}
