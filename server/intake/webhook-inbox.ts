/**
 * Receives amoCRM webhooks (reference §7): answer fast, drop duplicates by a hash of the event,
 * store it with its outbox item in one transaction, process in the background.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import { AppError } from '../errors.js';

export class WebhookInbox {
  private readonly store;

  constructor(
    db: Db,
    private readonly outbox: OutboxRepository,
    private readonly accounts: AccountsRepository,
    private readonly onQueued: () => void,
  ) {
    const insert = db.prepare('INSERT INTO webhook_events (hash, account_id, received_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
    this.store = db.transaction((hash: string, accountId: number, body: unknown, now: number) => {
      if (insert.run(hash, accountId, now).changes === 0) return false;
      this.outbox.enqueue(accountId, 'webhook', body, now);
      return true;
    });
  }

  /** true when stored, false for a duplicate; 403 for an account that is not connected here. */
  receive(body: Record<string, unknown>, now: number): boolean {
    const accountId = Number((body.account as { id?: unknown } | undefined)?.id);
    if (!Number.isSafeInteger(accountId) || accountId <= 0) throw new AppError(400, 'invalid_webhook', 'account[id] is missing.');
    if (this.accounts.status(accountId) === null) throw new AppError(403, 'account_not_connected', `Account ${accountId} is not connected to amo-address.`);
    const hash = createHash('sha256').update(canonical(body)).digest('hex');
    const stored = this.store(hash, accountId, body, now) as boolean;
    if (stored) this.onQueued();
    return stored;
  }
}

/** JSON with sorted keys: the same event always hashes the same, whatever the parameter order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
