/** The outbox as an admin sees it: counts, items by status, and a retry of parked items. */
import type { Clock } from '../clock.js';
import type { Outbox } from '../outbox/jobs.js';
import type { OutboxStatus } from '../store/outbox-repository.js';

export class ParkedWrites {
  constructor(private readonly deps: { outbox: Outbox; clock: Clock; wake(): void }) {}

  list(status: OutboxStatus) {
    const items = this.deps.outbox.list(status).map((i) => ({ id: i.id, accountId: i.accountId, kind: i.kind, status: i.status, attempts: i.attempts, lastError: i.lastError, state: i.state, createdAt: new Date(i.createdAt).toISOString(), updatedAt: new Date(i.updatedAt).toISOString() }));
    return { counts: this.deps.outbox.counts(), items };
  }

  /** Parked items back to the queue with fresh attempts (with `accountId`, only that account's); returns how many. */
  retry(id: number | 'all-parked', accountId?: number): number {
    const retried = this.deps.outbox.retry(id, this.deps.clock.now(), accountId);
    if (retried) this.deps.wake();
    return retried;
  }
}
