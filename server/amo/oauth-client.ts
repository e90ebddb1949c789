/**
 * amoCRM's OAuth endpoints (reference §3): the code exchange, the refresh grant and the account
 * lookup that follows a connect. Hosts are validated AccountHost values, never raw input.
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { AppError } from '../errors.js';
import { accountOrigin, type AccountHost } from './hosts.js';
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
    const response = await this.send(() =>
      this.http.get(`${accountOrigin(host, this.testBaseUrl)}/api/v4/account`, {
        headers: { Authorization: `Bearer ${accessToken}` },
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
    const response = await this.send(() =>
      this.http.post(`${accountOrigin(host, this.testBaseUrl)}/oauth2/access_token`, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uri: redirectUri,
        ...grant,
      }),
    );
    const body = (response.data ?? {}) as Record<string, unknown>;
    if (response.status === 200 && typeof body.access_token === 'string' && typeof body.refresh_token === 'string') {
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 86400,
      };
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const hint = [body.hint, body.detail, body.title, body.error].find((v) => typeof v === 'string');
      throw new GrantRejectedError(response.status, String(hint ?? 'no reason given'));
    }
    throw new AppError(502, 'amocrm_error', `amoCRM answered ${response.status} at /oauth2/access_token; try again later.`);
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
