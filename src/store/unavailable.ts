/** The store being out of reach, told apart from every other failure of a query. */

/**
 * The store could not be reached, or its connection was lost and a retry did not help. With
 * `outcomeUnknown`, the connection went while a transaction that wrote was committing, and the
 * store could not be asked afterwards whether the commit happened.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly outcomeUnknown: boolean,
    options: { cause: unknown },
  ) {
    super((options.cause as Error)?.message ?? String(options.cause), options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * PostgreSQL's codes for a connection that went away or could not be made: class 08 (connection
 * exception) and the server shutting it (57P01 terminated by an administrator, as
 * pg_terminate_backend and a failover do; 57P02 crash; 57P03 not accepting connections yet).
 */
const LOST_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Whether an error says the connection to the store is gone, rather than what was asked failed. */
export function isConnectionLost(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || LOST_CODES.has(code))) return true;
  // What pg says of a socket that closed under it, or of a client whose socket already had.
  return /^Connection terminated|connection error and is not queryable/.test((error as Error | undefined)?.message ?? '');
}
