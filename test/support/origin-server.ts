/**
 * A real origin for edge tests: a Node HTTP server on a free port, whose answers a test sets
 * per path, and which counts the requests it gets (so a test can tell a hit from a miss
 * without trusting the edge's own X-Cache).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OriginAnswer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Answer only once this has settled. */
  until?: Promise<unknown>;
  /** Send the body in chunks this far apart, to see streaming. */
  chunkDelayMs?: number;
}

export interface OriginRequestSeen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export class OriginServer {
  readonly requests: OriginRequestSeen[] = [];
  private readonly answers = new Map<string, OriginAnswer | ((req: OriginRequestSeen) => OriginAnswer)>();
  private fallback: OriginAnswer = { status: 404, body: 'not found' };
  private readonly server: Server;
  private readonly hanging = new Set<() => void>();

  private constructor() {
    this.server = createServer((req, res) => {
      const seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      this.requests.push(seen);
      const path = seen.url.split('?')[0]!;
      const configured = this.answers.get(seen.url) ?? this.answers.get(path) ?? this.fallback;
      const answer = typeof configured === 'function' ? configured(seen) : configured;
      req.resume();
      if (answer.hang) {
        const release = () => res.destroy();
        this.hanging.add(release);
        res.on('close', () => this.hanging.delete(release));
        return;
      }
      const respond = async () => {
        const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(answer.body);
        res.writeHead(answer.status ?? 200, { 'content-length': String(body.length), ...answer.headers });
        if (seen.method === 'HEAD') return res.end();
        if (!answer.chunkDelayMs) return res.end(body);
        const step = Math.max(1, Math.ceil(body.length / 4));
        for (let i = 0; i < body.length; i += step) {
          res.write(body.subarray(i, i + step));
          await new Promise((resolve) => setTimeout(resolve, answer.chunkDelayMs));
        }
        res.end();
      };
      if (answer.until) void answer.until.finally(() => void respond());
      else if (answer.delayMs) setTimeout(() => void respond(), answer.delayMs);
      else void respond();
    });
  }

  static async start(): Promise<OriginServer> {
    const origin = new OriginServer();
    await new Promise<void>((resolve) => origin.server.listen(0, '127.0.0.1', resolve));
    return origin;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The address to put in Origin.Addresses. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Answer `path` (or an exact `path?query`) like this from now on. */
  on(path: string, answer: OriginAnswer | ((req: OriginRequestSeen) => OriginAnswer)): void {
    this.answers.set(path, answer);
  }

  otherwise(answer: OriginAnswer): void {
    this.fallback = answer;
  }

  /** How many requests for `path` (any query) arrived. */
  count(path: string): number {
    return this.requests.filter((r) => r.url.split('?')[0] === path).length;
  }

  async close(): Promise<void> {
    for (const release of this.hanging) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
