/**
 * Runs tasks one after another, in arrival order, with a bounded queue: `run` resolves to the
 * task's result, or to null at once when `maxWaiting` tasks are already waiting.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly maxWaiting: number) {}

  async run<T>(task: () => Promise<T>): Promise<T | null> {
    if (this.waiting >= this.maxWaiting) return null;
    this.waiting++;
    const turn = this.tail.then(async () => {
      this.waiting--;
      return task();
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
