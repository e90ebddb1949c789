/**
 * The admin console of one account, as its admin sees it inside amoCRM (the widget's advanced
 * settings page): the connection, the writes, site keys, the webhook and the address book. Every
 * call names the account it acts on — the disposable token's — and never reaches another's rows.
 */
import type { AddressDataStatus, ConsoleState, ConsoleWrites } from '../../contract/api.js';
import type { Clock } from '../clock.js';
import type { AmoCrm } from '../amo/crm.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { AddressBookRepository } from '../store/address-book-repository.js';
import type { SiteKeysRepository } from '../store/site-keys-repository.js';
import type { SiteKeyIssuer } from './site-key-issuer.js';
import type { WebhookUrls } from '../intake/webhook-urls.js';
import type { Outbox } from '../outbox/jobs.js';
import type { ParkedWrites } from './parked-writes.js';
import type { WebhookSubscriptions } from './webhook-subscriptions.js';
import { accountNotConnected, AppError, notConfigured, reconnectRequired } from '../errors.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** How long amoCRM's list of an account's webhooks is reused while the page polls. */
const WEBHOOKS_TTL_MS = 30_000;

export class AccountConsole {
  /** amoCRM's answer per account, with the subscribe job it was read after (a finished job reads it again). */
  private readonly webhookCache = new Map<number, { job: string; at: number; subscribed: boolean }>();

  constructor(
    private readonly deps: {
      accounts: AccountsRepository;
      outbox: Outbox;
      siteKeys: SiteKeysRepository;
      siteKeyIssuer: SiteKeyIssuer;
      addressBook: AddressBookRepository;
      crm: AmoCrm | null;
      webhookUrls: WebhookUrls | null;
      webhookSubscriptions: WebhookSubscriptions | null;
      parkedWrites: ParkedWrites;
      publicUrl: string;
      /** Waiting items an account may have (OUTBOX_MAX_PENDING_PER_ACCOUNT). */
      maxPending: number;
      clock: Clock;
      wake(): void;
      /** The server's address data, and whether an account is one of its operators (DATA_OPERATOR_ACCOUNTS). */
      addressData: { status(): AddressDataStatus; isOperator(accountId: number): boolean; update(by: string): { started: boolean; reason?: string } };
    },
  ) {}

  async state(accountId: number, canManage: boolean): Promise<ConsoleState> {
    const { accounts, outbox, siteKeys, addressBook, crm, publicUrl, clock } = this.deps;
    const account = await accounts.find(accountId);
    const blockedUntil = account?.blockedUntil && account.blockedUntil > clock.now() ? account.blockedUntil : null;
    const status: ConsoleState['account']['status'] = !crm ? 'demo' : !account ? 'not_connected' : blockedUntil ? 'blocked' : account.status;
    const imported = await outbox.latest(accountId, 'import_addresses');
    const progress = imported?.kind === 'import_addresses' ? imported.state : null;
    return {
      account: {
        id: accountId,
        status,
        subdomain: account?.subdomain ?? null,
        blockedUntil: iso(blockedUntil),
        reason: status === 'blocked' || status === 'reconnect_required' ? (account?.lastError ?? null) : null,
      },
      canManage,
      connectUrl: crm ? `${publicUrl}/api/auth/amocrm/start` : null,
      writes: { ...(await outbox.counts(accountId)), limit: this.deps.maxPending },
      siteKeys: (await siteKeys.list(accountId)).map((k) => ({ id: k.id, name: k.name, createdAt: iso(k.createdAt)!, lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) })),
      intakeUrl: `${publicUrl}/api/leads`,
      // The destination carries the account's webhook secret: only an admin sees it.
      webhook: await this.webhook(accountId, status === 'connected').then((w) => (canManage ? w : { ...w, destination: null })),
      addressBook: {
        count: await addressBook.count(accountId),
        import: imported && progress
          ? { status: imported.status, step: progress.step ?? 0, of: progress.of ?? 3, read: progress.read ?? 0, error: imported.status === 'parked' ? imported.lastError : null }
          : null,
      },
      addressData: { ...this.deps.addressData.status(), canUpdate: canManage && this.deps.addressData.isOperator(accountId) },
    };
  }

  /** Starts an address data update: only for an operator account (DATA_OPERATOR_ACCOUNTS). */
  /** Whether the account may keep data of its own here (zones): connected to amoCRM, or the demo. */
  async mayStore(accountId: number): Promise<boolean> {
    if (!this.deps.crm) return true;
    return (await this.deps.accounts.find(accountId))?.status === 'connected';
  }

  updateAddressData(accountId: number): void {
    if (!this.deps.addressData.isOperator(accountId)) throw new AppError('operator_required', 'Only the operator of this server updates its address data (DATA_OPERATOR_ACCOUNTS); ask them.');
    const run = this.deps.addressData.update(`console, account ${accountId}`);
    if (!run.started) throw new AppError('data_update_not_started', `No update was started: ${run.reason}.`);
  }

  /** Subscribed or not, as amoCRM lists the account's webhooks now; null when it cannot be asked. */
  private async webhook(accountId: number, connected: boolean): Promise<ConsoleState['webhook']> {
    const { crm, webhookUrls, outbox } = this.deps;
    const queued = (await outbox.list('pending', 100, accountId)).some((i) => i.kind === 'subscribe');
    if (!crm || !webhookUrls || !connected) return { subscribed: null, destination: null, queued };
    const destination = webhookUrls.destination(accountId);
    const latest = await outbox.latest(accountId, 'subscribe');
    const job = `${latest?.id}:${latest?.status}`;
    const cached = this.webhookCache.get(accountId);
    const now = this.deps.clock.now();
    if (cached && cached.job === job && now - cached.at < WEBHOOKS_TTL_MS) return { subscribed: cached.subscribed, destination, queued };
    try {
      const subscribed = (await crm.webhooks(accountId)).some((h) => h.destination === destination);
      this.webhookCache.set(accountId, { job, at: now, subscribed });
      return { subscribed, destination, queued };
    } catch {
      return { subscribed: null, destination, queued };
    }
  }

  async parked(accountId: number): Promise<ConsoleWrites> {
    return {
      items: (await this.deps.outbox.list('parked', 100, accountId)).map((i) => ({ id: i.id, kind: i.kind, attempts: i.attempts, error: i.lastError, updatedAt: iso(i.updatedAt)! })),
    };
  }

  /** One parked item of the account back to the queue, or all of them; how many. */
  async retry(accountId: number, id: number | 'all-parked'): Promise<number> {
    const retried = await this.deps.parkedWrites.retry(id, accountId);
    if (id !== 'all-parked' && !retried) throw new AppError('not_found', 'This account has no parked write with this id.');
    return retried;
  }

  async createSiteKey(accountId: number, name: string, origins: string[] = []) {
    const { siteKey, key } = await this.deps.siteKeyIssuer.create(accountId, name, origins);
    return { id: siteKey.id, name: siteKey.name, key, origins: siteKey.origins };
  }

  async revokeSiteKey(accountId: number, id: number): Promise<void> {
    if (!(await this.deps.siteKeys.revoke(id, this.deps.clock.now(), accountId))) throw new AppError('not_found', 'This account has no active site key with this id.');
  }

  /** Subscribing and unsubscribing call amoCRM: queued, like every write. */
  async setWebhook(accountId: number, subscribed: boolean): Promise<void> {
    await this.requireAmo(accountId);
    const subscriptions = this.deps.webhookSubscriptions!; // present whenever amoCRM is (requireAmo)
    if (subscribed) await subscriptions.subscribe(accountId);
    else await subscriptions.unsubscribe(accountId);
  }

  async importAddressBook(accountId: number): Promise<void> {
    await this.requireAmo(accountId);
    const running = (await this.deps.outbox.list('pending', 100, accountId)).some((i) => i.kind === 'import_addresses');
    if (!running) await this.deps.outbox.enqueue(accountId, 'import_addresses', {}, this.deps.clock.now());
    this.deps.wake();
  }

  clearAddressBook(accountId: number): Promise<number> {
    return this.deps.addressBook.clear(accountId);
  }

  private async requireAmo(accountId: number): Promise<void> {
    if (!this.deps.crm || !this.deps.webhookSubscriptions) throw notConfigured('This server has no amoCRM credentials (demo mode): nothing can be asked of amoCRM.');
    const status = await this.deps.accounts.status(accountId);
    if (status === null) throw accountNotConnected(accountId);
    if (status === 'reconnect_required') throw reconnectRequired(accountId);
  }
}
