/**
 * Runs tasks with the same key one after another. Two website leads from the same phone must
 * not both search, find nothing, and both create a contact; two refreshes of one account must
 * not both spend its refresh token.
 */
export interface Locks {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** One process (the SQLite store): a promise chain per key. */
export class KeyedLock implements Locks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(task);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
