/**
 * Makes website keys, for all three ways of asking (the console, `POST /api/admin/site-keys`,
 * `npm run site-key`): only for an account connected here (a key of any other account would take
 * leads that can never be delivered), and at most `maxPerAccount` active keys per account. In the
 * demo (no amoCRM credentials) the demo account stands for a connected one.
 */
import type { Clock } from '../clock.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { SiteKey, SiteKeysRepository } from '../store/site-keys-repository.js';
import { accountNotConnected, AppError, reconnectRequired } from '../errors.js';
import { DEMO_ACCOUNT_ID } from './demo-account.js';

export class SiteKeyIssuer {
  constructor(
    private readonly deps: { siteKeys: SiteKeysRepository; accounts: AccountsRepository; clock: Clock; maxPerAccount: number; demo: boolean },
  ) {}

  async create(accountId: number, name: string, origins: string[] = []): Promise<{ siteKey: SiteKey; key: string }> {
    const { siteKeys, accounts, clock, maxPerAccount, demo } = this.deps;
    if (!(demo && accountId === DEMO_ACCOUNT_ID)) {
      const status = await accounts.status(accountId);
      if (status === null) throw accountNotConnected(accountId);
      if (status === 'reconnect_required') throw reconnectRequired(accountId);
    }
    const created = await siteKeys.createWithin(accountId, name, clock.now(), maxPerAccount, origins);
    if (!created) throw new AppError('site_key_limit', `Account ${accountId} already has ${maxPerAccount} active site keys: revoke one it no longer uses first (SITE_KEYS_PER_ACCOUNT sets the number).`);
    return created;
  }
}
