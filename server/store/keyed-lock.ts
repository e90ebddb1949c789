/**
 * Runs tasks with the same key one after another. Two website leads from the same phone must
 * not both search, find nothing, and both create a contact; two refreshes of one account must
 * not both spend its refresh token. A task may need several keys (a phone and an e-mail): they
 * are always taken in sorted order, so two tasks never wait on each other in a circle.
 */
export interface Locks {
  run<T>(keys: string | string[], task: () => Promise<T>): Promise<T>;
}

/** The keys of a task, in the one order every task takes them. */
export const lockOrder = (keys: string | string[]): string[] => [...new Set(typeof keys === 'string' ? [keys] : keys)].sort();

/** One process (the SQLite store): a promise chain per key. */
export class KeyedLock implements Locks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(keys: string | string[], task: () => Promise<T>): Promise<T> {
    return lockOrder(keys).reduceRight<() => Promise<T>>((inner, key) => () => this.one(key, inner), task)();
  }

  private async one<T>(key: string, task: () => Promise<T>): Promise<T> {
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
