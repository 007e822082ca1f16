/** Listening with a message a person can act on when the port is taken. */
import type { FastifyInstance } from 'fastify';
import { listeningUrl } from '../api/base-url.js';
import { LISTEN_BACKLOG } from '../edge/listen-backlog.js';

export class ListenError extends Error {}

export async function listen(app: FastifyInstance, host: string, port: number, what: string, setting: string, tls: boolean): Promise<string> {
  try {
    await app.listen({ host, port, backlog: LISTEN_BACKLOG });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ListenError(`Port ${port} on ${host} is already in use, so ${what} cannot start; choose another with ${setting}.`);
    if (code === 'EACCES') throw new ListenError(`Not allowed to listen on port ${port} on ${host} for ${what}; choose a port above 1023 with ${setting}.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ListenError(`${host} is not an address of this machine; set --host (MOONCDN_HOST).`);
    throw error;
  }
  const address = app.server.address();
  return listeningUrl(host, typeof address === 'object' && address ? address.port : port, tls);
}
