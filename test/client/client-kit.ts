/** Small helpers shared by the SDK suites. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MooncdnClient, MooncdnError, type ClientOptions } from '../../src/client/index.js';
import type { ServerProcess } from '../support/server-process.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A timestamp as the contract writes it. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A client for a running server, with its bootstrap credentials unless told otherwise. */
export { closedPort } from '../support/ports.js';

export function clientFor(server: ServerProcess, options: Partial<ClientOptions> = {}): MooncdnClient {
  return new MooncdnClient({ baseUrl: server.url, ...server.credentials, ...options });
}

/** The embedded edge's HTTP and HTTPS ports, from the banner. */
export function edgePorts(server: ServerProcess): { http: number; https: number } {
  const match = /http:\/\/[^:]+:(\d+) and https:\/\/[^:]+:(\d+)/.exec(server.output());
  if (!match) throw new Error(`no edge ports in the output:\n${server.output()}`);
  return { http: Number(match[1]), https: Number(match[2]) };
}

/** The MooncdnError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<MooncdnError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MooncdnError) return error;
    throw new Error(`expected a MooncdnError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail, but it succeeded');
}


/** A scripted stand-in for the API: a plain Node HTTP server whose handler a test writes. */
export interface ScriptedApi {
  readonly url: string;
  readonly requests: Array<{ method: string; url: string; idempotencyKey?: string }>;
  close(): Promise<void>;
}

export async function scriptedApi(
  handler: (req: IncomingMessage, res: ServerResponse, attempt: number) => void,
  port = 0,
): Promise<ScriptedApi> {
  const requests: Array<{ method: string; url: string; idempotencyKey?: string }> = [];
  const server: Server = createServer((req, res) => {
    const idempotencyKey = req.headers['idempotency-key'];
    requests.push({ method: req.method ?? '', url: req.url ?? '', ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}) });
    req.resume();
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON answer with a correlation id, as the real server does. */
export function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-correlation-id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}
