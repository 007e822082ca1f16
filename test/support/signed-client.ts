/** A minimal signed HTTP client for black-box tests: real sockets, real signing. */
import { Agent, request } from 'undici';
import { signRequest } from '../../src/signing/index.js';
import type { Credentials } from './server-process.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

export class SignedClient {
  private readonly dispatcher: Agent;

  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
    tls: { ca?: string | Buffer; servername?: string } = {},
  ) {
    this.dispatcher = new Agent({ connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.servername ? { servername: tls.servername } : {}) } });
  }

  /** `path` is below /subscriptions/{id}; apiVersion=1.0 is added. */
  sub(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    return this.send(method, `/subscriptions/${this.credentials.subscriptionId}${path}`, body);
  }

  async send(method: string, pathAndQuery: string, body?: unknown): Promise<HttpResponse> {
    const url = `${this.baseUrl}${pathAndQuery}${pathAndQuery.includes('?') ? '&' : '?'}apiVersion=1.0`;
    const headers: Record<string, string> = { ...signRequest(method, url, this.credentials) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(url, {
      method: method as 'GET',
      headers,
      dispatcher: this.dispatcher,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Polls an operation until it ends. */
  async waitForOperation(endpointId: string, operationId: string, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.sub('GET', `/endpoints/${endpointId}/operations/${operationId}`);
      if (response.status !== 200) throw new Error(`GET operation answered ${response.status}: ${JSON.stringify(response.body)}`);
      if (response.body.Status === 'Succeeded' || response.body.Status === 'Failed') return response.body;
      if (Date.now() > deadline) throw new Error(`operation ${operationId} still ${response.body.Status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
