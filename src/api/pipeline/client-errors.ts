/**
 * Requests Node's HTTP server refuses before Fastify sees them get the contract's error body
 * and an X-Correlation-Id too: parser errors (a method that is not HTTP, bare LF line ends,
 * Content-Length with Transfer-Encoding, headers over the size limit: 431), request timeouts
 * (408) and an Expect header other than 100-continue (417). A parser error leaves no request
 * to answer through, so its answer is written raw on the socket, which is then closed: nothing
 * after the error can be read reliably.
 */
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { Errors, type ApiError } from '../../contract/errors.js';

/** What to do about the parser errors clients make most, by llhttp's code. */
const HINTS: Record<string, string> = {
  HPE_INVALID_METHOD: 'use an HTTP method such as GET, POST, PUT or DELETE',
  HPE_INVALID_VERSION: 'write the request line as "METHOD /path HTTP/1.1" ending in CRLF (\\r\\n)',
  HPE_CR_EXPECTED: 'end every line of the request head with CRLF (\\r\\n), not a bare LF',
  HPE_LF_EXPECTED: 'end every line of the request head with CRLF (\\r\\n)',
  HPE_INVALID_HEADER_TOKEN: 'header names and values may not hold control characters or NUL, and lines end in CRLF (\\r\\n)',
  HPE_INVALID_TRANSFER_ENCODING: 'send either Content-Length or Transfer-Encoding: chunked, not both',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'send either Content-Length or Transfer-Encoding: chunked, not both',
  HPE_INVALID_CONTENT_LENGTH: 'send Content-Length as one decimal number',
  HPE_INVALID_URL: 'percent-encode the request target',
};

interface ParserError extends Error {
  readonly code?: string;
  /** llhttp's description, e.g. "Invalid method encountered". */
  readonly reason?: string;
}

function errorOfParser(error: ParserError): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return Errors.headersTooLarge(maxHeaderSize);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return Errors.requestTimeout();
  const reason = (error.reason ?? error.code ?? 'unreadable').slice(0, 200);
  const hint = HINTS[error.code ?? ''] ?? 'check how the client writes its requests';
  return Errors.parameterInvalid(`The request is not valid HTTP/1.1 (${reason}); ${hint}.`);
}

/** Fastify's clientErrorHandler: the server's 'clientError' event. */
export function clientErrorHandler(log: Logger) {
  return (error: ParserError, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // As Node's own handler does: a response already under way on this connection must not
    // get bytes of another in the middle of it.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const apiError = errorOfParser(error);
    const correlationId = randomUUID();
    log.info({ correlationId, status: apiError.statusCode, errorType: apiError.type, parserError: error.code }, 'request refused by the HTTP parser');
    const body = JSON.stringify(apiError.toBody());
    const head = [
      `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode] ?? ''}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-correlation-id: ${correlationId}`,
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  };
}

/** Node answers an Expect header other than 100-continue with a bare 417 unless the server listens for this. */
export function answerUnmetExpectations(server: Server, log: Logger): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const apiError = Errors.expectationFailed(String(request.headers.expect));
    const correlationId = randomUUID();
    log.info({ correlationId, status: apiError.statusCode, errorType: apiError.type }, 'request refused for its Expect header');
    const body = JSON.stringify(apiError.toBody());
    response.writeHead(apiError.statusCode, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-correlation-id': correlationId,
    });
    response.end(body);
  });
}
