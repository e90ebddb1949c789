/**
 * Hands out a valid access token per account. Refreshes a few minutes before expiry and once
 * after a 401; concurrent callers share one refresh (single-flight), and the rotated pair is
 * stored conditionally on the refresh token it replaced (reference §3 and §8).
 */
import type { Logger } from 'pino';
import { AppError, reconnectRequired } from '../errors.js';
import type { Account, AccountsRepository } from '../store/accounts-repository.js';
import { parseAccountHost } from './hosts.js';
import { GrantRejectedError, type OAuthClient } from './oauth-client.js';

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface Clock {
  now(): number;
}

export class TokenService {
  private readonly inflight = new Map<number, Promise<Account>>();

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly oauth: OAuthClient | null,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** A usable account (valid access token) or an AppError the widget can show. */
  async current(accountId: number): Promise<Account> {
    const account = this.load(accountId);
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
    for (const summary of this.accounts.list()) {
      if (summary.status !== 'connected' || this.clock.now() - summary.updatedAt < idleMs) continue;
      try {
        await this.refresh(summary.accountId, this.load(summary.accountId).accessToken);
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
    const task = this.doRefresh(accountId, staleAccessToken).finally(() => this.inflight.delete(accountId));
    this.inflight.set(accountId, task);
    return task;
  }

  private async doRefresh(accountId: number, staleAccessToken: string): Promise<Account> {
    // Re-read inside the flight: another process sharing the database may have rotated already.
    const account = this.load(accountId);
    if (account.accessToken !== staleAccessToken && account.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) {
      return account;
    }
    const host = parseAccountHost(`${account.subdomain}.${account.baseDomain}`);
    if (!this.oauth || !host) throw new AppError(503, 'not_configured', 'amoCRM credentials are not configured.');
    try {
      const granted = await this.oauth.refresh(host, account.refreshToken);
      const pair = {
        accessToken: granted.accessToken,
        refreshToken: granted.refreshToken,
        expiresAt: this.clock.now() + granted.expiresInSeconds * 1000,
      };
      if (!this.accounts.saveRotated(accountId, account.refreshTokenBlob, pair, this.clock.now())) {
        // The row changed while we waited (a reconnect stored a new pair): keep what is stored.
        return this.load(accountId);
      }
      this.log.info({ accountId }, 'amoCRM tokens refreshed');
      return { ...account, ...pair, refreshTokenBlob: this.load(accountId).refreshTokenBlob };
    } catch (error) {
      if (error instanceof GrantRejectedError) {
        // Another process may have rotated with the same refresh token a moment earlier: then
        // our token was rightly refused and the stored pair is the good one.
        const stored = this.accounts.find(accountId);
        if (stored && !stored.refreshTokenBlob.equals(account.refreshTokenBlob) && stored.status === 'connected') {
          return stored;
        }
        this.accounts.markReconnectRequired(accountId, error.hint, this.clock.now());
        this.log.warn({ accountId, status: error.status, hint: error.hint }, 'refresh token rejected: reconnect required');
        throw reconnectRequired(accountId);
      }
      throw error;
    }
  }

  private load(accountId: number): Account {
    const account = this.accounts.find(accountId);
    if (!account) {
      throw new AppError(404, 'account_not_connected', `amoCRM account ${accountId} is not connected to amo-address.`);
    }
    if (account.status === 'reconnect_required') throw reconnectRequired(accountId);
    return account;
  }
}

function isUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 401;
}
