/**
 * amoCRM's OAuth endpoints (reference §3): the code exchange, the refresh grant, the account
 * lookup that follows a connect, and the account's current host. Hosts are validated
 * AccountHost values, never raw input; requests go through AmoHttp, shared with API v4.
 */
import type { AmoCredentials } from '../config.js';
import { parseAccountHost, type AccountHost } from './hosts.js';
import { AmoApiError } from './api-errors.js';
import { apiError, type AmoHttp } from './amo-http.js';

export interface GrantedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export interface AmoAccountInfo {
  id: number;
  subdomain: string;
  name: string | null;
}

/** The grant was refused by amoCRM (expired, reused or revoked code or refresh token, wrong client). */
export class GrantRejectedError extends AmoApiError {
  constructor(
    amoStatus: number,
    readonly hint: string,
  ) {
    super(amoStatus, 'amocrm_grant_rejected', `amoCRM refused the grant (${amoStatus}): ${hint}`, 'auth');
    this.name = 'GrantRejectedError';
  }
}

export class OAuthClient {
  constructor(
    private readonly credentials: AmoCredentials,
    private readonly http: AmoHttp,
  ) {}

  exchangeCode(host: AccountHost, code: string): Promise<GrantedTokens> {
    return this.grant(host, { grant_type: 'authorization_code', code });
  }

  refresh(host: AccountHost, refreshToken: string): Promise<GrantedTokens> {
    return this.grant(host, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async fetchAccount(host: AccountHost, accessToken: string): Promise<AmoAccountInfo> {
    const path = '/api/v4/account';
    const response = await this.http.send({ host, method: 'GET', path, headers: { Authorization: `Bearer ${accessToken}` } });
    const body = response.body as { id?: unknown; subdomain?: unknown; name?: unknown } | null;
    if (response.status !== 200) throw apiError(response, path);
    if (typeof body?.id !== 'number' || typeof body.subdomain !== 'string') {
      throw new AmoApiError(response.status, 'amocrm_error', 'amoCRM answered the account request without an account id.', 'final');
    }
    return { id: body.id, subdomain: body.subdomain, name: typeof body.name === 'string' ? body.name : null };
  }

  private async grant(host: AccountHost, grant: Record<string, string>): Promise<GrantedTokens> {
    const { clientId, clientSecret, redirectUri } = this.credentials;
    const path = '/oauth2/access_token';
    const response = await this.http.send({ host, method: 'POST', path, body: { client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, ...grant } });
    const body = (response.body ?? {}) as Record<string, unknown>;
    if (response.status === 200 && typeof body.access_token === 'string' && typeof body.refresh_token === 'string') {
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 86400,
      };
    }
    if (response.status === 403) {
      // A blocked account answers 403 to every request, the token endpoint included; the grant
      // itself is intact: the old refresh token works until a new one is used (reference §8,
      // Kommo docs/oauth-20, amocrm-api-php issues 434 and 563). Not a reason to reconnect.
      throw new AmoApiError(403, 'amocrm_blocked', 'amoCRM refused the token refresh with 403 (the account is blocked); the connection is kept and retried later.', 'blocked');
    }
    if (response.status === 400 || response.status === 401 || response.status === 404) {
      const hint = [body.hint, body.detail, body.title, body.error].find((v) => typeof v === 'string');
      throw new GrantRejectedError(response.status, String(hint ?? 'no reason given'));
    }
    throw apiError(response, path);
  }

  /**
   * The account's current host, asked with its refresh token when the stored host stops answering
   * (the subdomain was renamed): `GET https://<api_domain>/oauth2/account/current/subdomain` with
   * `X-Refresh-Token`, answered with `{id, subdomain, domain, top_level_domain}` (amocrm-api-php
   * `AmoCRMOAuth::getAccountDomainByRefreshToken`, `Models/AccountDomainModel.php`; reference §8).
   * Null when amoCRM does not say, or names a host outside amoCRM.
   */
  async currentHost(apiDomain: string, refreshToken: string): Promise<AccountHost | null> {
    const response = await this.http.send({ host: apiDomain, method: 'GET', path: '/oauth2/account/current/subdomain', headers: { 'X-Refresh-Token': refreshToken } });
    const body = (response.body ?? {}) as { domain?: unknown };
    return response.status === 200 ? parseAccountHost(body.domain) : null;
  }
}
