/**
 * Hands out a valid access token per account. Refreshes a few minutes before expiry and once
 * after a 401; concurrent callers share one refresh (single-flight), and the rotated pair is
 * stored conditionally on the refresh token it replaced (reference §3 and §8).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AccountStateChanges } from './account-state.js';
import { accountNotConnected, AppError, reconnectRequired } from '../errors.js';
import type { Account, AccountsRepository } from '../store/accounts-repository.js';
import type { Locks } from '../store/keyed-lock.js';
import { parseAccountHost, parseApiDomain, type AccountHost } from './hosts.js';
import { GrantRejectedError, type OAuthClient } from './oauth-client.js';
import { AmoApiError } from './api-errors.js';

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const ROTATION_LOOKS = 6;
const ROTATION_LOOK_MS = 200;

export class TokenService {
  private readonly inflight = new Map<number, Promise<Account>>();

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly oauth: OAuthClient | null,
    private readonly states: Pick<AccountStateChanges, 'reconnectRequired'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Held across instances while one refreshes (advisory locks on PostgreSQL). */
    private readonly locks: Locks,
    /** Each refresh's outcome (the metrics count them). */
    private readonly onRefresh: (result: 'ok' | 'refused' | 'failed') => void = () => {},
  ) {}

  /** A usable account (valid access token) or an AppError the widget can show. */
  async current(accountId: number): Promise<Account> {
    const account = await this.load(accountId);
    if (account.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) return account;
    return this.refresh(accountId, account.accessToken);
  }

  /**
   * Runs `call` with a valid token; if amoCRM answers 401 (the token was revoked early), refreshes
   * once and repeats the same call.
   */
  async withAccessToken<T>(accountId: number, call: (account: Account) => Promise<T>): Promise<T> {
    const account = await this.current(accountId);
    try {
      return await call(account);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      const refreshed = await this.refresh(accountId, account.accessToken);
      return call(refreshed);
    }
  }

  /**
   * Refreshes every connected account whose tokens have not changed for `idleMs`: a refresh token
   * unused for 3 months stops working (reference §8, issue 246). Returns how many were refreshed.
   */
  async refreshIdle(idleMs: number): Promise<number> {
    let refreshed = 0;
    for (const summary of await this.accounts.list()) {
      if (summary.status !== 'connected' || this.clock.now() - summary.updatedAt < idleMs) continue;
      try {
        await this.refresh(summary.accountId, (await this.load(summary.accountId)).accessToken);
        refreshed++;
      } catch (error) {
        this.log.warn({ accountId: summary.accountId, error: (error as Error).message }, 'scheduled refresh failed');
      }
    }
    return refreshed;
  }

  /** Refreshes unless someone already replaced `staleAccessToken`; one request per account at a time. */
  refresh(accountId: number, staleAccessToken: string): Promise<Account> {
    const running = this.inflight.get(accountId);
    if (running) return running;
    const task = this.locks.run(`refresh:${accountId}`, () => this.doRefresh(accountId, staleAccessToken)).finally(() => this.inflight.delete(accountId));
    this.inflight.set(accountId, task);
    return task;
  }

  private async doRefresh(accountId: number, staleAccessToken: string): Promise<Account> {
    // Re-read inside the lock: another instance may have rotated while we waited for it.
    const account = await this.load(accountId);
    if (account.accessToken !== staleAccessToken && account.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) {
      return account;
    }
    const host = parseAccountHost(`${account.subdomain}.${account.baseDomain}`);
    if (!this.oauth || !host) throw new AppError('not_configured', 'amoCRM credentials are not configured.');
    try {
      return await this.rotate(account, host);
    } catch (error) {
      if (!(error instanceof GrantRejectedError)) throw error;
      // Another process may have rotated with the same refresh token a moment earlier: then
      // our token was rightly refused and the stored pair is the good one. Its answer may still
      // be on the way to its database, so look a few times before calling the grant lost.
      const rotated = await this.rotatedElsewhere(account);
      if (rotated) return rotated;
      const moved = error.amoStatus === 401 || error.amoStatus === 404 ? await this.movedHost(account, host) : null;
      if (moved) {
        try {
          return await this.rotate(account, moved);
        } catch (retryError) {
          if (!(retryError instanceof GrantRejectedError)) throw retryError;
          error = retryError;
        }
      }
      const rejected = error as GrantRejectedError;
      await this.states.reconnectRequired(accountId, rejected.hint);
      throw reconnectRequired(accountId);
    }
  }

  /** The pair another process stored after `account` was read, waiting up to a second for it. */
  private async rotatedElsewhere(account: Account): Promise<Account | null> {
    for (let look = 0; look < ROTATION_LOOKS; look++) {
      if (look) await new Promise((resolve) => setTimeout(resolve, ROTATION_LOOK_MS));
      const stored = await this.accounts.find(account.accountId);
      if (stored && !stored.refreshTokenBlob.equals(account.refreshTokenBlob) && stored.status === 'connected') return stored;
    }
    return null;
  }

  /** One refresh at `host`; the new pair is stored only if the refresh token we used is still current. */
  private async rotate(account: Account, host: AccountHost): Promise<Account> {
    const granted = await this.oauth!.refresh(host, account.refreshToken).catch((error: unknown) => {
      this.onRefresh((error as { kind?: string }).kind === 'auth' ? 'refused' : 'failed');
      throw error;
    });
    this.onRefresh('ok');
    const pair = {
      accessToken: granted.accessToken,
      refreshToken: granted.refreshToken,
      expiresAt: this.clock.now() + granted.expiresInSeconds * 1000,
    };
    if (!(await this.accounts.saveRotated(account.accountId, account.refreshTokenBlob, pair, this.clock.now()))) {
      // The row changed while we waited (a reconnect stored a new pair): keep what is stored.
      return this.load(account.accountId);
    }
    this.log.info({ accountId: account.accountId }, 'amoCRM tokens refreshed');
    return this.load(account.accountId);
  }

  /**
   * The token endpoint answered 401/404 at the stored host: amoCRM may have moved the account
   * (renamed subdomain). Ask amoCRM where it lives now, as the official library does
   * (`AmoCRMOAuth.php`, reference §8), and remember the new host. Null if it did not move.
   */
  private async movedHost(account: Account, current: AccountHost): Promise<AccountHost | null> {
    const apiDomain = apiDomainOf(account.accessToken) ?? (current.baseDomain === 'amocrm.ru' ? 'api-a.amocrm.ru' : current.host);
    let moved: AccountHost | null;
    try {
      moved = await this.oauth!.currentHost(apiDomain, account.refreshToken);
    } catch {
      return null;
    }
    if (!moved || moved.host === current.host) return null;
    await this.accounts.moveHost(account.accountId, moved.subdomain, moved.baseDomain, this.clock.now());
    this.log.info({ accountId: account.accountId, from: current.host, to: moved.host }, 'amoCRM account moved to a new host');
    return moved;
  }

  private async load(accountId: number): Promise<Account> {
    const account = await this.accounts.find(accountId);
    if (!account) {
      throw accountNotConnected(accountId);
    }
    if (account.status === 'reconnect_required') throw reconnectRequired(accountId);
    return account;
  }
}

/** amoCRM refused the access token (401): a refresh and one more try may help. */
function isUnauthorized(error: unknown): boolean {
  return error instanceof AmoApiError && error.kind === 'auth' && !(error instanceof GrantRejectedError);
}

/** The `api_domain` claim of amoCRM's access token (a JWT; read, not verified: it only picks an amoCRM host). */
function apiDomainOf(accessToken: string): string | null {
  const payload = accessToken.split('.')[1];
  if (!payload) return null;
  try {
    return parseApiDomain((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { api_domain?: unknown }).api_domain);
  } catch {
    return null;
  }
}
