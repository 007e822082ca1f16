/**
 * Fetching from an endpoint's origin: `Origin.Addresses` in order, failing over to the next on
 * a connection error, a timeout or a 5xx answer (GET and HEAD only; other methods go to the
 * first address). Port 443 means HTTPS to the origin; any other port, plain HTTP. Every
 * connection passes the origin address policy (origin-connector.ts); a refused address is
 * failed over like any connection error.
 */
import type { Readable } from 'node:stream';
import { Agent, errors, request, type Dispatcher } from 'undici';
import { parseOriginAddress } from '../domain/hostname.js';
import { guardedConnector, OriginAddressDenied } from './origin-connector.js';
import type { OriginAddressPolicy } from './policy/origin-address.js';

export interface OriginRequest {
  readonly method: string;
  /** Path and query exactly as they go to the origin. */
  readonly target: string;
  readonly addresses: readonly string[];
  /** The Host header the origin gets (Setting.Host). */
  readonly host: string;
  readonly headers: Record<string, string>;
  readonly body?: Readable;
  /** Aborts the fetch, and the body of its response (a fill whose clients have all gone). */
  readonly signal?: AbortSignal;
}

export interface OriginResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
  /** Which address answered. */
  readonly address: string;
}

export class OriginError extends Error {
  constructor(
    message: string,
    /** 504 when every address timed out, else 502. */
    readonly status: 502 | 504,
    /** An address was refused by the origin policy: the endpoint's origin, not the network, is at fault. */
    readonly deniedByPolicy = false,
    /** For the operator's log: what the policy refused, resolved addresses included. */
    readonly denials: readonly string[] = [],
  ) {
    super(message);
    this.name = 'OriginError';
  }
}

export class OriginClient {
  private readonly agent: Agent;

  /** `policy`: which addresses may be connected to; always given, so no edge runs without one. */
  constructor(
    private readonly timeoutMs: number,
    policy: OriginAddressPolicy,
  ) {
    this.agent = new Agent({
      connect: guardedConnector(policy, { timeout: Math.min(timeoutMs, 10_000) }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async fetch(origin: OriginRequest): Promise<OriginResponse> {
    const failover = origin.method === 'GET' || origin.method === 'HEAD';
    const addresses = failover ? origin.addresses : origin.addresses.slice(0, 1);
    const problems: string[] = [];
    let allTimedOut = true;
    const denials: string[] = [];

    for (const address of addresses) {
      const url = originUrl(address, origin.target);
      if (url === undefined) {
        problems.push(`${address}: not a valid address`);
        allTimedOut = false;
        continue;
      }
      try {
        const response = await request(url, {
          method: origin.method as Dispatcher.HttpMethod,
          headers: { ...origin.headers, host: origin.host },
          dispatcher: this.agent,
          ...(origin.body ? { body: origin.body } : {}),
          ...(origin.signal ? { signal: origin.signal } : {}),
          ...(url.startsWith('https:') ? { servername: origin.host.replace(/:\d+$/, '') } : {}),
        });
        const answer: OriginResponse = {
          status: response.statusCode,
          statusText: statusText(response.statusCode),
          headers: response.headers as Record<string, string | string[]>,
          body: response.body,
          address,
        };
        if (response.statusCode >= 500 && failover && address !== addresses[addresses.length - 1]) {
          problems.push(`${address}: answered ${response.statusCode}`);
          allTimedOut = false;
          await response.body.dump().catch(() => undefined);
          continue;
        }
        return answer;
      } catch (error) {
        // Abandoned by the edge: no other address is wanted either.
        if (origin.signal?.aborted) throw error;
        if (error instanceof OriginAddressDenied) {
          // The client and the tenant learn that the policy refused, not what a name resolved to.
          problems.push(`${address}: denied by policy`);
          denials.push(error.message);
          allTimedOut = false;
          continue;
        }
        const timedOut =
          error instanceof errors.HeadersTimeoutError || error instanceof errors.ConnectTimeoutError || error instanceof errors.BodyTimeoutError;
        if (!timedOut) allTimedOut = false;
        problems.push(`${address}: ${timedOut ? `no answer within ${this.timeoutMs} ms` : describe(error)}`);
      }
    }
    if (denials.length > 0) {
      throw new OriginError(`The origin address is denied by this edge's origin policy (${problems.join('; ')}).`, 502, true, denials);
    }
    throw new OriginError(`The origin could not be reached (${problems.join('; ')}).`, allTimedOut && problems.length > 0 ? 504 : 502);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function originUrl(address: string, target: string): string | undefined {
  const parsed = parseOriginAddress(address);
  if (typeof parsed === 'string') return undefined;
  const host = parsed.kind === 'ipv6' ? `[${parsed.host}]` : parsed.host;
  const scheme = parsed.port === 443 ? 'https' : 'http';
  const port = parsed.port === undefined || parsed.port === 443 || parsed.port === 80 ? '' : `:${parsed.port}`;
  return `${scheme}://${host}${port}${target}`;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? e.message ?? String(error);
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 404: 'Not Found', 403: 'Forbidden', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}
