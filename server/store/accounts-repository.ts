/**
 * One row per connected amoCRM account. Tokens go in and out of this repository in plaintext
 * only through the cipher; the rows themselves hold ciphertext.
 */
import type { Db } from './database.js';
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
  private readonly select;
  private readonly upsert;
  private readonly rotate;
  private readonly setStatus;
  private readonly remove;
  private readonly listAll;

  constructor(
    private readonly db: Db,
    private readonly cipher: TokenCipher | null,
  ) {
    this.select = db.prepare<[number], Row>('SELECT * FROM accounts WHERE account_id = ?');
    this.upsert = db.prepare(
      `INSERT INTO accounts (account_id, subdomain, base_domain, access_token, refresh_token, expires_at,
                             status, last_error, connected_at, updated_at)
       VALUES (@accountId, @subdomain, @baseDomain, @access, @refresh, @expiresAt, 'connected', NULL, @now, @now)
       ON CONFLICT (account_id) DO UPDATE SET subdomain = excluded.subdomain, base_domain = excluded.base_domain,
         access_token = excluded.access_token, refresh_token = excluded.refresh_token,
         expires_at = excluded.expires_at, status = 'connected', last_error = NULL,
         connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
    );
    // Rotation is conditional on the refresh token we used: if another process rotated it
    // first, nothing is overwritten (reference §8, concurrent refresh).
    this.rotate = db.prepare(
      `UPDATE accounts SET access_token = @access, refresh_token = @refresh, expires_at = @expiresAt,
         status = 'connected', last_error = NULL, updated_at = @now
       WHERE account_id = @accountId AND refresh_token = @previous`,
    );
    this.setStatus = db.prepare(
      'UPDATE accounts SET status = @status, last_error = @lastError, updated_at = @now WHERE account_id = @accountId',
    );
    this.remove = db.prepare('DELETE FROM accounts WHERE account_id = ?');
    this.listAll = db.prepare<[], Row>('SELECT * FROM accounts ORDER BY account_id');
  }

  /**
   * Start-up check: the configured key is the one the stored tokens were encrypted with. A
   * changed TOKEN_ENCRYPTION_KEY would otherwise show only as failures on the first amoCRM call.
   * Returns a problem in words, or null. The key's fingerprint is kept in `meta`.
   */
  checkKey(): string | null {
    if (!this.cipher) return null;
    const fingerprint = this.cipher.fingerprint();
    const stored = (this.db.prepare("SELECT value FROM meta WHERE key = 'token_key_fingerprint'").get() as { value: string } | undefined)?.value;
    const mismatch = 'TOKEN_ENCRYPTION_KEY: this is not the key the stored amoCRM tokens were encrypted with. Restore the previous key, or delete the accounts from the database and connect them again.';
    if (stored !== undefined) return stored === fingerprint ? null : mismatch;
    // A database from before the fingerprint: try the key on a stored token.
    const row = this.db.prepare<[], Row>('SELECT * FROM accounts LIMIT 1').get();
    if (row) {
      try {
        this.cipher.decrypt(row.refresh_token, row.account_id);
      } catch {
        return mismatch;
      }
    }
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('token_key_fingerprint', ?)").run(fingerprint);
    return null;
  }

  get canStoreTokens(): boolean {
    return this.cipher !== null;
  }

  find(accountId: number): Account | null {
    const row = this.select.get(accountId);
    return row ? this.toAccount(row) : null;
  }

  status(accountId: number): AccountStatus | null {
    return this.select.get(accountId)?.status ?? null;
  }

  saveConnected(input: { accountId: number; subdomain: string; baseDomain: string } & TokenPair, now: number): void {
    const cipher = this.requireCipher();
    this.upsert.run({
      accountId: input.accountId,
      subdomain: input.subdomain,
      baseDomain: input.baseDomain,
      access: cipher.encrypt(input.accessToken, input.accountId),
      refresh: cipher.encrypt(input.refreshToken, input.accountId),
      expiresAt: input.expiresAt,
      now,
    });
  }

  /** Stores a rotated pair in one statement; false if the previous refresh token is no longer current. */
  saveRotated(accountId: number, previousRefreshBlob: Buffer, pair: TokenPair, now: number): boolean {
    const cipher = this.requireCipher();
    const result = this.rotate.run({
      accountId,
      previous: previousRefreshBlob,
      access: cipher.encrypt(pair.accessToken, accountId),
      refresh: cipher.encrypt(pair.refreshToken, accountId),
      expiresAt: pair.expiresAt,
      now,
    });
    return result.changes === 1;
  }

  /** amoCRM blocked the account: nothing is sent for it until `until`; the reason shows in /api/status. */
  pause(accountId: number, until: number, reason: string, now: number): void {
    this.db.prepare('UPDATE accounts SET blocked_until = ?, last_error = ?, updated_at = ? WHERE account_id = ?').run(until, `blocked: ${reason}`, now, accountId);
  }

  /** The end of the account's block pause, or null when it may send. */
  pausedUntil(accountId: number, now: number): number | null {
    const until = this.select.get(accountId)?.blocked_until ?? null;
    return until !== null && until > now ? until : null;
  }

  /** amoCRM moved the account to another host (a renamed subdomain, reference §8). */
  moveHost(accountId: number, subdomain: string, baseDomain: string, now: number): void {
    this.db.prepare('UPDATE accounts SET subdomain = ?, base_domain = ?, updated_at = ? WHERE account_id = ?').run(subdomain, baseDomain, now, accountId);
  }

  markReconnectRequired(accountId: number, reason: string, now: number): void {
    this.setStatus.run({ accountId, status: 'reconnect_required', lastError: reason, now });
  }

  delete(accountId: number): boolean {
    return this.remove.run(accountId).changes > 0;
  }

  list(): AccountSummary[] {
    return this.listAll.all().map((row) => ({
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
