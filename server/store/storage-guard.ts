/**
 * When the disk under the store is full or read-only, every write fails the same way, and the
 * caller should hear that it was not stored and to come back later — a 503 with Retry-After,
 * not a 500 — while /healthz says why. GuardedSql wraps the store's SQL surface: a failure the
 * store itself reports as full, read-only or an I/O error becomes `storage_unavailable`, and is
 * remembered until a write succeeds again (StorageHealth).
 */
import { AppError } from '../errors.js';
import type { Sql } from './sql.js';

export type StorageFaultKind = 'disk_full' | 'read_only' | 'io_error';

/** SQLite's result codes (better-sqlite3 `code`) and PostgreSQL's SQLSTATEs for a store that cannot write. */
export function storageFault(error: unknown): StorageFaultKind | null {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === '53100') return 'disk_full';
  if (code.startsWith('SQLITE_READONLY') || code === '25006') return 'read_only';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === '58030') return 'io_error';
  return null;
}

const SAID: Record<StorageFaultKind, string> = {
  disk_full: 'the disk under its database is full',
  read_only: 'its database is read-only',
  io_error: 'its database cannot be written (an I/O error)',
};

export const STORAGE_RETRY_AFTER_SECONDS = 60;

export class StorageHealth {
  private current: { kind: StorageFaultKind; since: number; detail: string } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  noted(kind: StorageFaultKind, detail: string): void {
    this.current ??= { kind, since: this.now(), detail };
  }

  cleared(): void {
    this.current = null;
  }

  /** What is wrong, in words, or null while writes work. */
  fault(): { kind: StorageFaultKind; reason: string; since: string } | null {
    if (!this.current) return null;
    return { kind: this.current.kind, reason: `${SAID[this.current.kind]} (${this.current.detail})`, since: new Date(this.current.since).toISOString() };
  }

  get faulty(): boolean {
    return this.current !== null;
  }
}

export class GuardedSql implements Sql {
  readonly dialect;

  constructor(
    private readonly inner: Sql,
    private readonly health: StorageHealth,
  ) {
    this.dialect = inner.dialect;
  }

  all<T>(text: string, params?: unknown[]): Promise<T[]> {
    return this.guard(() => this.inner.all<T>(text, params), false);
  }

  get<T>(text: string, params?: unknown[]): Promise<T | undefined> {
    // INSERT … RETURNING comes through get: a write like any other.
    return this.guard(() => this.inner.get<T>(text, params), !/^\s*SELECT/i.test(text));
  }

  run(text: string, params?: unknown[]): Promise<number> {
    return this.guard(() => this.inner.run(text, params), true);
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.guard(() => this.inner.transaction((tx) => work(new GuardedSql(tx, this.health))), true);
  }

  private async guard<T>(op: () => Promise<T>, write: boolean): Promise<T> {
    try {
      const result = await op();
      if (write) this.health.cleared();
      return result;
    } catch (error) {
      const kind = storageFault(error);
      if (!kind) throw error;
      this.health.noted(kind, String((error as Error).message).slice(0, 200));
      throw new AppError('storage_unavailable', `Nothing was stored: ${SAID[kind]}. Send it again in a minute; the operator has been told (/healthz).`, { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS });
    }
  }
}
