/**
 * An account's life here, in one place:
 *
 *   (unknown) ──connect──▶ connected ──refresh token refused──▶ reconnect required
 *                             ▲  │                                      │
 *                             │  └──amoCRM's block page──▶ blocked      │
 *                             │        (pause ends) ◀────────┘          │
 *                             └───────────────connect───────────────────┘
 *   any state ──disconnect hook (signed)──▶ (unknown): every row of the account is deleted
 *
 * What each transition sets off is listed here, not registered from elsewhere. Items of an
 * account that is not connected, or is blocked, wait in the outbox (the claim skips them).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AccountStateChanges } from '../amo/account-state.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { AccountDataRepository, PurgedRows } from '../store/account-data-repository.js';
import type { Outbox } from '../outbox/jobs.js';

export interface LifecycleDeps {
  accounts: AccountsRepository;
  accountData: AccountDataRepository;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** What a connect sets off (config: AMOCRM_SUBSCRIBE_WEBHOOKS, AMOCRM_IMPORT_ADDRESSES_ON_CONNECT). */
  onConnect: { subscribeWebhooks: boolean; importAddresses: boolean; webhooksAvailable: boolean };
  /** Caches that hold something of an account, emptied when it is disconnected. */
  forgetCached: Array<(accountId: number) => void>;
  /** Wakes the outbox worker: an account's waiting items can go now. */
  wake(): void;
}

export class AccountLifecycle implements AccountStateChanges {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Tokens were stored by ConnectAccount; `reconnected`: the account was connected here before. */
  async connected(accountId: number, reconnected: boolean): Promise<void> {
    const { outbox, clock, onConnect } = this.deps;
    if (onConnect.webhooksAvailable) {
      // Subscribe when asked; otherwise, on a reconnect, move an older destination of ours (the
      // URL once shared by all accounts) to the account's own URL.
      if (onConnect.subscribeWebhooks) await outbox.enqueue(accountId, 'subscribe', { mode: 'subscribe' }, clock.now());
      else if (reconnected) await outbox.enqueue(accountId, 'subscribe', { mode: 'move' }, clock.now());
    }
    // The account's existing addresses seed its address book (read in pages, within the rate).
    if (onConnect.importAddresses) await outbox.enqueue(accountId, 'import_addresses', {}, clock.now());
    this.deps.log.info({ accountId, reconnected }, 'amoCRM account connected');
    this.deps.wake();
  }

  async reconnectRequired(accountId: number, reason: string): Promise<void> {
    await this.deps.accounts.markReconnectRequired(accountId, reason, this.deps.clock.now());
    this.deps.log.warn({ accountId, reason }, 'refresh token rejected: reconnect required');
  }

  async blocked(accountId: number, until: number, reason: string): Promise<void> {
    await this.deps.accounts.pause(accountId, until, reason, this.deps.clock.now());
    this.deps.log.warn({ accountId, until: new Date(until).toISOString() }, 'amoCRM blocked the account: sending paused');
  }

  pausedUntil(accountId: number): Promise<number | null> {
    return this.deps.accounts.pausedUntil(accountId, this.deps.clock.now());
  }

  /**
   * amoCRM's signed disconnect: everything stored for the account goes, in one transaction —
   * tokens, settings, site keys, website leads, queued and finished outbox items, webhook events,
   * write-back records, the address book — and every cache of it. An item being sent at this
   * moment finishes its current call and then finds no tokens.
   */
  async disconnected(accountId: number): Promise<{ known: boolean; purged: PurgedRows }> {
    const forgotten = await this.forget(accountId);
    this.deps.log.info({ accountId, purged: forgotten.purged }, 'amoCRM account disconnected: its data was deleted');
    return forgotten;
  }

  /** The purge itself, also for the rows of accounts that are not connected here (housekeeping). */
  async forget(accountId: number): Promise<{ known: boolean; purged: PurgedRows }> {
    const purged = await this.deps.accountData.purge(accountId);
    for (const forget of this.deps.forgetCached) forget(accountId);
    return { known: purged.accounts > 0, purged };
  }
}
