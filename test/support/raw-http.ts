/** Raw HTTP/1.1 over TCP, for what no HTTP client would send: malformed requests. */
import { connect } from 'node:net';
import { expect } from 'vitest';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Writes `bytes` on a new connection, ends its side (so the server need not wait for more),
 * and reads until the server closes it. A status of NaN: the server answered nothing.
 */
export function sendBytes(port: number, bytes: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closes as soon as it is written) is no failure.
    socket.on('error', (error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

/** The contract's error, with a correlation id, on a connection the server closed. */
export function expectContractError(response: RawResponse, status: number, message: RegExp = /./): void {
  expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({
    status,
    body: { Succeeded: false, ErrorInfo: { Type: 'ParameterInvalid', Message: expect.stringMatching(message) } },
  });
  expect(response.headers).toMatchObject({
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(response.body)),
    'x-correlation-id': expect.stringMatching(UUID),
    connection: 'close',
  });
}
