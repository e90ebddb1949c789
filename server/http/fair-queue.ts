/**
 * Runs tasks one at a time, taking turns between accounts (round-robin, as the outbox claims):
 * each account's tasks in arrival order, and an account with many waiting never makes another
 * account's single task wait behind them — after each task its account goes to the back of the
 * line, behind every account that came meanwhile. Queues are bounded per account and in all;
 * `run` resolves to null at once when its account's queue (or the whole) is full.
 */
export class FairQueue {
  private readonly queues = new Map<number, Array<() => Promise<void>>>();
  /** Accounts waiting for their turn, in order (the running one is not among them). */
  private readonly turns: number[] = [];
  private current: number | null = null;
  private waiting = 0;

  constructor(private readonly limits: { perAccount: number; total: number }) {}

  run<T>(account: number, task: () => Promise<T>): Promise<T | null> {
    const queue = this.queues.get(account) ?? [];
    if (queue.length >= this.limits.perAccount || this.waiting >= this.limits.total) return Promise.resolve(null);
    return new Promise<T>((resolve, reject) => {
      queue.push(() => task().then(resolve, reject));
      this.queues.set(account, queue);
      this.waiting++;
      if (account !== this.current && !this.turns.includes(account)) this.turns.push(account);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.current !== null) return;
    while (this.turns.length) {
      const account = this.turns.shift()!;
      const queue = this.queues.get(account)!;
      const start = queue.shift()!;
      this.waiting--;
      this.current = account;
      try {
        await start();
      } finally {
        this.current = null;
      }
      if (queue.length) this.turns.push(account);
      else this.queues.delete(account);
    }
  }
}
