/** The outbox as an admin sees it: counts, items by status, and a retry of parked items. */
import type { Clock } from '../clock.js';
import type { Outbox } from '../outbox/jobs.js';
import type { OutboxStatus } from '../store/outbox-repository.js';

export class ParkedWrites {
  constructor(private readonly deps: { outbox: Outbox; clock: Clock; wake(): void }) {}

  async list(status: OutboxStatus) {
    const items = (await this.deps.outbox.list(status)).map((i) => ({ id: i.id, accountId: i.accountId, kind: i.kind, status: i.status, attempts: i.attempts, lastError: i.lastError, state: i.state, createdAt: new Date(i.createdAt).toISOString(), updatedAt: new Date(i.updatedAt).toISOString() }));
    return { counts: await this.deps.outbox.counts(), items };
  }

  /** Parked items back to the queue with fresh attempts (with `accountId`, only that account's); returns how many. */
  async retry(id: number | 'all-parked', accountId?: number): Promise<number> {
    const retried = await this.deps.outbox.retry(id, this.deps.clock.now(), accountId);
    if (retried) this.deps.wake();
    return retried;
  }
}
