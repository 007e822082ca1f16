/**
 * The process logger on stdout: JSON lines (for collectors), or pretty lines for a person at a
 * terminal (pino-pretty, pino's own formatter). JSON is written asynchronously, so the lines of
 * one turn of the event loop go out in one write (call `flushLogger` before exit). Secrets never
 * reach it; the redaction paths are a second guard.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { LogFormat } from '../config/serve-config.js';

// pino-pretty is loaded only for pretty lines: loading it cost every process that logs JSON
// (servers under a supervisor, each edge worker) 35-45 ms of its start. It is CommonJS, so a
// require keeps createLogger synchronous.
const require = createRequire(import.meta.url);

export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { service: 'mooncdn' },
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.keyValue', '*.KeyValue', '*.privateKey', '*.PrivateKey', '*.masterKey'],
      censor: '[redacted]',
    },
  };
  const prettyLines = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (prettyLines) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true }));
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

/** Writes out what the logger still holds. */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}
