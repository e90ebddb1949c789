/**
 * One row per connected amoCRM account. Tokens go in and out of this repository in plaintext
 * only through the cipher; the rows themselves hold ciphertext. The same class serves SQLite and
 * PostgreSQL (store/sql.ts).
 */
import type { Sql } from './sql.js';
import type { TokenCipher } from './token-crypto.js';

export type AccountStatus = 'connected' | 'reconnect_required';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** epoch milliseconds */
  expiresAt: number;
}

export interface Account extends TokenPair {
  accountId: number;
  subdomain: string;
  baseDomain: string;
  status: AccountStatus;
  lastError: string | null;
  connectedAt: number;
  updatedAt: number;
  /** Until when amoCRM's block pauses all sending (epoch ms), or null. */
  blockedUntil: number | null;
  /** The stored refresh-token ciphertext: the compare-and-set key for rotation. */
  refreshTokenBlob: Buffer;
}

export interface AccountSummary {
  accountId: number;
  subdomain: string;
  baseDomain: string;
  status: AccountStatus;
  lastError: string | null;
  expiresAt: number;
  connectedAt: number;
  updatedAt: number;
  blockedUntil: number | null;
}

interface Row {
  account_id: number;
  subdomain: string;
  base_domain: string;
  access_token: Buffer;
  refresh_token: Buffer;
  expires_at: number;
  status: AccountStatus;
  last_error: string | null;
  connected_at: number;
  updated_at: number;
  blocked_until: number | null;
}

export class AccountsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly cipher: TokenCipher | null,
  ) {}

  /**
   * Start-up check: the configured key is the one the stored tokens were encrypted with. A
   * changed TOKEN_ENCRYPTION_KEY would otherwise show only as failures on the first amoCRM call.
   * Returns a problem in words, or null. The key's fingerprint is kept in `meta`.
   */
  async checkKey(): Promise<string | null> {
    if (!this.cipher) return null;
    const fingerprint = this.cipher.fingerprint();
    const stored = (await this.sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'token_key_fingerprint'"))?.value;
    const mismatch = 'TOKEN_ENCRYPTION_KEY: this is not the key the stored amoCRM tokens were encrypted with. Restore the previous key, or delete the accounts from the database and connect them again.';
    if (stored !== undefined) return stored === fingerprint ? null : mismatch;
    // A database from before the fingerprint: try the key on a stored token.
    const row = await this.sql.get<Row>('SELECT * FROM accounts LIMIT 1');
    if (row) {
      try {
        this.cipher.decrypt(row.refresh_token, row.account_id);
      } catch {
        return mismatch;
      }
    }
    await this.sql.run("INSERT INTO meta (key, value) VALUES ('token_key_fingerprint', ?) ON CONFLICT (key) DO NOTHING", [fingerprint]);
    return null;
  }

  get canStoreTokens(): boolean {
    return this.cipher !== null;
  }

  async find(accountId: number): Promise<Account | null> {
    const row = await this.row(accountId);
    return row ? this.toAccount(row) : null;
  }

  async status(accountId: number): Promise<AccountStatus | null> {
    return (await this.row(accountId))?.status ?? null;
  }

  async saveConnected(input: { accountId: number; subdomain: string; baseDomain: string } & TokenPair, now: number): Promise<void> {
    const cipher = this.requireCipher();
    await this.sql.run(
      `INSERT INTO accounts (account_id, subdomain, base_domain, access_token, refresh_token, expires_at,
                             status, last_error, connected_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'connected', NULL, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET subdomain = excluded.subdomain, base_domain = excluded.base_domain,
         access_token = excluded.access_token, refresh_token = excluded.refresh_token,
         expires_at = excluded.expires_at, status = 'connected', last_error = NULL,
         connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
      [input.accountId, input.subdomain, input.baseDomain, cipher.encrypt(input.accessToken, input.accountId), cipher.encrypt(input.refreshToken, input.accountId), input.expiresAt, now, now],
    );
  }

  /**
   * Stores a rotated pair in one statement; false if the previous refresh token is no longer
   * current: if another process rotated it first, nothing is overwritten (reference §8).
   */
  async saveRotated(accountId: number, previousRefreshBlob: Buffer, pair: TokenPair, now: number): Promise<boolean> {
    const cipher = this.requireCipher();
    const changed = await this.sql.run(
      `UPDATE accounts SET access_token = ?, refresh_token = ?, expires_at = ?, status = 'connected', last_error = NULL, updated_at = ?
       WHERE account_id = ? AND refresh_token = ?`,
      [cipher.encrypt(pair.accessToken, accountId), cipher.encrypt(pair.refreshToken, accountId), pair.expiresAt, now, accountId, previousRefreshBlob],
    );
    return changed === 1;
  }

  /** amoCRM blocked the account: nothing is sent for it until `until`; the reason shows in /api/status. */
  async pause(accountId: number, until: number, reason: string, now: number): Promise<void> {
    await this.sql.run('UPDATE accounts SET blocked_until = ?, last_error = ?, updated_at = ? WHERE account_id = ?', [until, `blocked: ${reason}`, now, accountId]);
  }

  /** The end of the account's block pause, or null when it may send. */
  async pausedUntil(accountId: number, now: number): Promise<number | null> {
    const until = (await this.row(accountId))?.blocked_until ?? null;
    return until !== null && until > now ? until : null;
  }

  /** amoCRM moved the account to another host (a renamed subdomain, reference §8). */
  async moveHost(accountId: number, subdomain: string, baseDomain: string, now: number): Promise<void> {
    await this.sql.run('UPDATE accounts SET subdomain = ?, base_domain = ?, updated_at = ? WHERE account_id = ?', [subdomain, baseDomain, now, accountId]);
  }

  async markReconnectRequired(accountId: number, reason: string, now: number): Promise<void> {
    await this.sql.run("UPDATE accounts SET status = 'reconnect_required', last_error = ?, updated_at = ? WHERE account_id = ?", [reason, now, accountId]);
  }

  async delete(accountId: number): Promise<boolean> {
    return (await this.sql.run('DELETE FROM accounts WHERE account_id = ?', [accountId])) > 0;
  }

  async list(): Promise<AccountSummary[]> {
    const rows = await this.sql.all<Row>('SELECT * FROM accounts ORDER BY account_id');
    return rows.map((row) => ({
      accountId: row.account_id,
      subdomain: row.subdomain,
      baseDomain: row.base_domain,
      status: row.status,
      lastError: row.last_error,
      expiresAt: row.expires_at,
      connectedAt: row.connected_at,
      updatedAt: row.updated_at,
      blockedUntil: row.blocked_until,
    }));
  }

  private row(accountId: number): Promise<Row | undefined> {
    return this.sql.get<Row>('SELECT * FROM accounts WHERE account_id = ?', [accountId]);
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher) {
      throw new Error('TOKEN_ENCRYPTION_KEY is not set: refusing to store amoCRM tokens unencrypted');
    }
    return this.cipher;
  }

  private toAccount(row: Row): Account {
    const cipher = this.requireCipher();
    return {
      accountId: row.account_id,
      subdomain: row.subdomain,
      baseDomain: row.base_domain,
      accessToken: cipher.decrypt(row.access_token, row.account_id),
      refreshToken: cipher.decrypt(row.refresh_token, row.account_id),
      refreshTokenBlob: row.refresh_token,
      expiresAt: row.expires_at,
      status: row.status,
      lastError: row.last_error,
      connectedAt: row.connected_at,
      updatedAt: row.updated_at,
      blockedUntil: row.blocked_until,
    };
  }
}
