/**
 * A TCP proxy in front of PostgreSQL that can lose a connection at the worst moments of a
 * transaction, as a network or a failover does: as the client sends COMMIT (the server never
 * sees it), or as the server answers it (the server has committed; the client never hears).
 * Kysely sends COMMIT as the simple query "commit"; the server's answer is tagged "COMMIT".
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type CommitFault = 'lose-commit' | 'lose-commit-answer';

export class PgProxy {
  /** The next COMMIT to fail this way (once). */
  fault: CommitFault | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** A proxy to the server of `url` (a postgres:// URL). */
  static async start(url: string): Promise<PgProxy> {
    const target = { host: new URL(url).hostname, port: Number(new URL(url).port || 5432) };
    let proxy!: PgProxy;
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      const cut = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (chunk: Buffer) => {
        if (proxy.fault === 'lose-commit' && chunk.includes('commit\0')) {
          proxy.fault = undefined;
          return cut();
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (proxy.fault === 'lose-commit-answer' && chunk.includes('COMMIT\0')) {
          proxy.fault = undefined;
          return cut();
        }
        client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new PgProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** `url` (a database on the target) reached through the proxy. */
  url(url: string): string {
    const through = new URL(url);
    through.host = `127.0.0.1:${this.port}`;
    return through.toString();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
