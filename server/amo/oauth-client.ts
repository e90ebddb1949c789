/**
 * amoCRM's OAuth endpoints (reference §3): the code exchange, the refresh grant and the account
 * lookup that follows a connect. Hosts are validated AccountHost values, never raw input.
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { AppError } from '../errors.js';
import { endpointFor, parseAccountHost, type AccountHost } from './hosts.js';
import { AmoApiError } from './api-errors.js';
import type { AmoCredentials } from '../config.js';

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
export class GrantRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly hint: string,
  ) {
    super(`amoCRM refused the grant (${status}): ${hint}`);
    this.name = 'GrantRejectedError';
  }
}

export class OAuthClient {
  private readonly http: AxiosInstance;

  constructor(
    private readonly credentials: AmoCredentials,
    private readonly testBaseUrl: string | null,
    timeoutMs = 10_000,
  ) {
    this.http = axios.create({ timeout: timeoutMs, validateStatus: () => true, maxRedirects: 0 });
  }

  exchangeCode(host: AccountHost, code: string): Promise<GrantedTokens> {
    return this.grant(host, { grant_type: 'authorization_code', code });
  }

  refresh(host: AccountHost, refreshToken: string): Promise<GrantedTokens> {
    return this.grant(host, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async fetchAccount(host: AccountHost, accessToken: string): Promise<AmoAccountInfo> {
    const { origin, headers } = endpointFor(host, this.testBaseUrl);
    const response = await this.send(() =>
      this.http.get(`${origin}/api/v4/account`, {
        headers: { ...headers, Authorization: `Bearer ${accessToken}` },
      }),
    );
    const body = response.data as { id?: unknown; subdomain?: unknown; name?: unknown } | undefined;
    if (response.status !== 200 || typeof body?.id !== 'number' || typeof body.subdomain !== 'string') {
      throw new AppError(502, 'amocrm_error', `amoCRM answered ${response.status} when reading the account.`);
    }
    return { id: body.id, subdomain: body.subdomain, name: typeof body.name === 'string' ? body.name : null };
  }

  private async grant(host: AccountHost, grant: Record<string, string>): Promise<GrantedTokens> {
    const { clientId, clientSecret, redirectUri } = this.credentials;
    const { origin, headers } = endpointFor(host, this.testBaseUrl);
    const response = await this.send(() =>
      this.http.post(
        `${origin}/oauth2/access_token`,
        { client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, ...grant },
        { headers },
      ),
    );
    const body = (response.data ?? {}) as Record<string, unknown>;
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
    throw new AppError(502, 'amocrm_error', `amoCRM answered ${response.status} at /oauth2/access_token; try again later.`);
  }

  /**
   * The account's current host, asked with its refresh token when the stored host stops answering
   * (the subdomain was renamed): `GET https://<api_domain>/oauth2/account/current/subdomain` with
   * `X-Refresh-Token`, answered with `{id, subdomain, domain, top_level_domain}` (amocrm-api-php
   * `AmoCRMOAuth::getAccountDomainByRefreshToken`, `Models/AccountDomainModel.php`; reference §8).
   * Null when amoCRM does not say, or names a host outside amoCRM.
   */
  async currentHost(apiDomain: string, refreshToken: string): Promise<AccountHost | null> {
    const { origin, headers } = endpointFor(apiDomain, this.testBaseUrl);
    const response = await this.send(() => this.http.get(`${origin}/oauth2/account/current/subdomain`, { headers: { ...headers, 'X-Refresh-Token': refreshToken } }));
    const body = (response.data ?? {}) as { domain?: unknown };
    return response.status === 200 ? parseAccountHost(body.domain) : null;
  }

  private async send<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      // Network failures: never echo the request (it carries the client secret).
      const reason = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      throw new AppError(502, 'amocrm_unreachable', `amoCRM could not be reached (${reason}); try again later.`);
    }
  }
}
