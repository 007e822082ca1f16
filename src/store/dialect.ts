/** Everything that differs between SQLite and PostgreSQL, in one place. */
import type { ColumnDataType } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectTraits {
  readonly name: DialectName;
  /** The type of an auto-incrementing 64-bit key. */
  readonly serialType: ColumnDataType;
  /** The type of epoch-millisecond and counter columns. */
  readonly bigintType: ColumnDataType;
  /** Whether claims lock rows with FOR UPDATE SKIP LOCKED (several workers can claim at once). */
  readonly skipLocked: boolean;
}

export const DIALECTS: Record<DialectName, DialectTraits> = {
  sqlite: { name: 'sqlite', serialType: 'integer', bigintType: 'integer', skipLocked: false },
  postgres: { name: 'postgres', serialType: 'bigserial', bigintType: 'bigint', skipLocked: true },
};

/** Whether a driver error is a unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
