/**
 * Receives amoCRM webhooks (reference §7): answer fast, drop duplicates by a hash of the event,
 * store which entities changed with an outbox item in one transaction, process in the background.
 * The account comes from the URL (WebhookUrls); a body naming another account changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import { changedEntities } from '../outbox/handlers/webhook-handler.js';
import type { FormObject } from './webhook-form.js';
import { AppError } from '../errors.js';

export class WebhookInbox {
  private readonly store;

  constructor(
    db: Db,
    private readonly outbox: OutboxRepository,
    private readonly accounts: AccountsRepository,
    private readonly log: Logger,
    private readonly onQueued: () => void,
  ) {
    const insert = db.prepare('INSERT INTO webhook_events (hash, account_id, received_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
    this.store = db.transaction((hash: string, accountId: number, payload: unknown, now: number) => {
      if (insert.run(hash, accountId, now).changes === 0) return false;
      this.outbox.enqueue(accountId, 'webhook', payload, now);
      return true;
    });
  }

  /** true when stored, false for a duplicate; 403 for a body of another account or an account not connected here. */
  receive(accountId: number, body: FormObject, now: number): boolean {
    const account = body.account;
    const named = Number(typeof account === 'object' ? account.id : undefined);
    if (!Number.isSafeInteger(named) || named <= 0) throw new AppError(400, 'invalid_webhook', 'account[id] is missing.');
    if (named !== accountId) {
      this.log.warn({ urlAccountId: accountId, bodyAccountId: named }, 'webhook for another account refused');
      throw new AppError(403, 'webhook_account_mismatch', 'This webhook URL belongs to another account.');
    }
    if (this.accounts.status(accountId) === null) throw new AppError(403, 'account_not_connected', `Account ${accountId} is not connected to amo-address.`);
    const hash = createHash('sha256').update(`${accountId}:${canonical(body)}`).digest('hex');
    const stored = this.store(hash, accountId, { changed: changedEntities(body) }, now) as boolean;
    if (stored) this.onQueued();
    return stored;
  }
}

/** JSON with sorted keys: the same event always hashes the same, whatever the parameter order. */
function canonical(value: unknown): string {
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
