/**
 * The process logger: JSON lines on stdout, written asynchronously so the lines of one turn of
 * the event loop go out in one write rather than a write each (call `flushLogger` before exit).
 * Secrets never reach it; the redaction paths are a second guard.
 */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'mooncdn' },
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.keyValue', '*.KeyValue', '*.privateKey', '*.PrivateKey', '*.masterKey'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Writes out what the logger still holds. */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}
