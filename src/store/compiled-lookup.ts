/**
 * A query of one parameter, built and compiled by Kysely once per dialect and then run with the
 * value swapped in: for the lookups made on every request (an endpoint, an operation), the
 * builder and compiler cost more than SQLite's own work.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Database } from './schema.js';

export class CompiledLookup<Row> {
  private readonly compiled = new Map<DialectName, CompiledQuery<Row>>();

  /** `build` must use `placeholder` as its one parameter. */
  constructor(private readonly build: (db: Kysely<Database>, placeholder: string) => Compilable<Row>) {}

  async first(db: Kysely<Database>, dialect: DialectName, value: string): Promise<Row | undefined> {
    let query = this.compiled.get(dialect);
    if (!query) {
      query = this.build(db, '').compile();
      if (query.parameters.length !== 1) throw new Error('a CompiledLookup query must have exactly one parameter');
      this.compiled.set(dialect, query);
    }
    const result = await db.executeQuery<Row>({ ...query, parameters: [value] });
    return result.rows[0];
  }
}
