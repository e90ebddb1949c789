/**
 * Receives amoCRM webhooks (reference §7): answer fast, drop duplicates by a hash of the event,
 * store which entities changed with an outbox item in one transaction, process in the background.
 * The account comes from the URL (WebhookUrls); a body naming another account changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Outbox } from '../outbox/jobs.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { WebhookEventsRepository } from '../store/webhook-events-repository.js';
import { changedEntities, mergeChanges } from '../intake/webhook-changes.js';

/**
 * A waiting webhook item names at most this many entities (each is re-read through the API), and an
 * account has at most this many waiting: about 50,000 ids, a few hundred KB of store per account.
 */
export const WEBHOOK_ITEM_IDS = 5000;
export const WEBHOOK_ITEMS_WAITING = 10;
import type { FormObject } from '../intake/webhook-form.js';
import { accountNotConnected, AppError } from '../errors.js';

export class WebhookInbox {
  constructor(
    private readonly deps: { events: WebhookEventsRepository; outbox: Outbox; accounts: AccountsRepository; clock: Clock; log: Logger; wake(): void; onDelivery?: (result: 'stored' | 'duplicate') => void },
  ) {}

  /**
   * true when stored, false for a duplicate; 403 for a body of another account or an account not
   * connected here. A duplicate is the same bytes again, as amoCRM repeats a failed delivery; one
   * that slips through (the same event re-encoded) costs a re-read, never a wrong write, because
   * the entities are read again through the API.
   */
  async receive(accountId: number, body: FormObject, bodySha256: string): Promise<boolean> {
    const account = body.account;
    // A value that is itself a group (account[id][x]=…) is no id; the form's objects have no
    // prototype, so it must never reach Number() (that threw, and answered 500).
    const id = typeof account === 'object' ? account.id : undefined;
    if (id !== undefined && typeof id !== 'string') throw new AppError('invalid_body', 'account[id] must be one number, as amoCRM sends it.');
    const named = Number(id);
    if (!Number.isSafeInteger(named) || named <= 0) throw new AppError('invalid_webhook', 'account[id] is missing.');
    if (named !== accountId) {
      this.deps.log.warn({ urlAccountId: accountId, bodyAccountId: named }, 'webhook for another account refused');
      throw new AppError('webhook_account_mismatch', 'This webhook URL belongs to another account.');
    }
    if ((await this.deps.accounts.status(accountId)) === null) throw accountNotConnected(accountId);
    const hash = createHash('sha256').update(`${accountId}:${bodySha256}`).digest('hex');
    const now = this.deps.clock.now();
    const changed = changedEntities(body);
    const stored = await this.deps.events.recordOnce(hash, accountId, now, async (tx) => {
      const outbox = this.deps.outbox.in(tx);
      // Joined to the account's waiting item while no worker has taken it: a flood is a few items, not thousands.
      const joined = (p: { changed?: typeof changed }) => {
        const merged = p.changed ? mergeChanges(p.changed, changed, WEBHOOK_ITEM_IDS) : null;
        return merged ? { changed: merged } : null;
      };
      if (await outbox.amendWaiting(accountId, 'webhook', now, joined)) return;
      if ((await outbox.pendingCount(accountId, 'webhook')) >= WEBHOOK_ITEMS_WAITING) {
        // Nothing is recorded (the transaction rolls back): amoCRM delivers it again later, and it is taken then.
        throw new AppError('rate_limited', `This account has ${WEBHOOK_ITEMS_WAITING} batches of webhook changes waiting to be read; amoCRM will deliver again later.`, { retryAfterSeconds: 60 });
      }
      await outbox.enqueue(accountId, 'webhook', { changed }, now);
    });
    if (stored) this.deps.wake();
    this.deps.onDelivery?.(stored ? 'stored' : 'duplicate');
    return stored;
  }
}
