/**
 * Subscribing an account's own webhook URL, and moving every connected account off the URL once
 * shared by all of them. Both are outbox work (they call amoCRM); this only queues it.
 */
import type { Clock } from '../clock.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { WebhookUrls } from '../intake/webhook-urls.js';
import type { Outbox } from '../outbox/jobs.js';

export class WebhookSubscriptions {
  constructor(private readonly deps: { outbox: Outbox; accounts: AccountsRepository; urls: WebhookUrls; clock: Clock; wake(): void }) {}

  /** Queued; clicks while one is still waiting change that one (the last click wins), not add jobs. */
  async subscribe(accountId: number): Promise<{ id: number; destination: string }> {
    const { id } = await this.deps.outbox.coalesce(accountId, 'subscribe', { mode: 'subscribe' }, this.deps.clock.now());
    this.deps.wake();
    return { id, destination: this.deps.urls.destination(accountId) };
  }

  /** Removes every destination of ours from the account (queued, like the subscription). */
  async unsubscribe(accountId: number): Promise<void> {
    await this.deps.outbox.coalesce(accountId, 'subscribe', { mode: 'unsubscribe' }, this.deps.clock.now());
    this.deps.wake();
  }

  /** Queues a move for every connected account; returns how many. */
  async moveAll(): Promise<number> {
    const connected = (await this.deps.accounts.list()).filter((a) => a.status === 'connected');
    for (const account of connected) await this.deps.outbox.enqueue(account.accountId, 'subscribe', { mode: 'move' }, this.deps.clock.now());
    this.deps.wake();
    return connected.length;
  }
}
