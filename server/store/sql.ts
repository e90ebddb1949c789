/**
 * The one async SQL surface every repository is written against, so one set of repositories
 * serves both stores: the embedded SQLite file (default) and PostgreSQL (DATABASE_URL, several
 * instances). Statements are written with `?` placeholders; the PostgreSQL side numbers them.
 * The few statements that differ between the two are chosen by `dialect` in the repository.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Sql {
  readonly dialect: Dialect;
  all<T>(text: string, params?: unknown[]): Promise<T[]>;
  get<T>(text: string, params?: unknown[]): Promise<T | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  run(text: string, params?: unknown[]): Promise<number>;
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** better-sqlite3 behind the async surface. Statements are prepared once and cached. */
export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  /** Transactions on one connection must not overlap: the next waits for the previous. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly db: Db) {}

  private statement(text: string) {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  async all<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.statement(text).all(...params) as T[];
  }

  async get<T>(text: string, params: unknown[] = []): Promise<T | undefined> {
    return this.statement(text).get(...params) as T | undefined;
  }

  async run(text: string, params: unknown[] = []): Promise<number> {
    return this.statement(text).run(...params).changes;
  }

  /**
   * One connection: a statement some other request runs while a transaction is open joins it (and
   * is committed with it). Our transactions hold only their own few writes — never an amoCRM call
   * — so that window is a few microtasks; transactions themselves queue behind each other.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    // Inside, `tx` runs on the same connection; a transaction opened through `tx` joins this one.
    const tx: Sql = { dialect: 'sqlite', all: (t, p) => this.all(t, p), get: (t, p) => this.get(t, p), run: (t, p) => this.run(t, p), transaction: (inner) => inner(tx) };
    const run = async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
