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
 * Writes `bytes` on a new connection and reads one response (after any 1xx): until its
 * Content-Length is complete, or until the server closes the connection. A status of NaN: it
 * answered nothing.
 */
export function sendBytes(port: number, bytes: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(parse(received.toString('latin1')));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // An interim answer ("100 Continue") comes before the response.
      while (/^HTTP\/1\.[01] 1\d\d /.test(received.toString('latin1', 0, 13)) && received.includes('\r\n\r\n')) {
        received = received.subarray(received.indexOf('\r\n\r\n') + 4);
      }
      const text = received.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd));
      if (headEnd >= 0 && length && received.length >= headEnd + 4 + Number(length[1])) finish();
    });
    // A reset after the answer (the server closes as soon as it is written) is no failure.
    socket.on('error', (error) => {
      if (received.length === 0 && !done) reject(error);
    });
    socket.on('close', finish);
  });
}

function parse(text: string): RawResponse {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

/** The contract's ParameterInvalid with this status and a message matching `message`, and a correlation id. */
export function expectContractBody(response: RawResponse, status: number, message: RegExp): void {
  expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({
    status,
    body: { Succeeded: false, ErrorInfo: { Type: 'ParameterInvalid', Message: expect.stringMatching(message) } },
  });
  expect(response.headers['x-correlation-id']).toMatch(UUID);
}

/** That, written raw by the server (whole, as JSON), on a connection it then closed. */
export function expectContractError(response: RawResponse, status: number, message: RegExp): void {
  expectContractBody(response, status, message);
  expect(response.headers).toMatchObject({
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(response.body)),
    connection: 'close',
  });
}
