/**
 * PostgreSQL behind the repositories' async SQL surface (store/sql.ts): a pool per instance,
 * `?` placeholders numbered `$1…`, a transaction on one pooled client.
 */
import pg from 'pg';
import type { Sql } from '../sql.js';

// BIGINT columns (epoch milliseconds, amoCRM ids, counts) come back as numbers, not strings:
// every value we store is far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const numbered = new Map<string, string>();
/** `? … ?` → `$1 … $n` (our statements hold no literal question marks). */
function number(text: string): string {
  let out = numbered.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/\?/g, () => `$${++n}`);
    numbered.set(text, out);
  }
  return out;
}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly target: Queryable,
    private readonly inTransaction = false,
  ) {}

  async all<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.target.query(number(text), params)).rows as T[];
  }

  async get<T>(text: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(text, params))[0];
  }

  async run(text: string, params: unknown[] = []): Promise<number> {
    return (await this.target.query(number(text), params)).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    const client = await (this.target as pg.Pool).connect();
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresSql(client, true));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
