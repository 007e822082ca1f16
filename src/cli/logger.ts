/** The process logger: JSON lines on stdout. Secrets never reach it; the paths below are a second guard. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'mooncdn' },
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.keyValue', '*.KeyValue', '*.privateKey', '*.PrivateKey', '*.masterKey'],
      censor: '[redacted]',
    },
  });
}
