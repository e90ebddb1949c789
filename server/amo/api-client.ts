/**
 * The one choke point for amoCRM API v4: token (with refresh), per-account rate limit,
 * retries with backoff for 429/5xx/network errors, and error mapping (reference §6, §8).
 * Bodies of 403/429 may be HTML: nothing is JSON-parsed blindly.
 */
import axios, { type AxiosInstance, type Method, isAxiosError } from 'axios';
import type { Logger } from 'pino';
import { AmoApiError, parseRetryAfter, validationError } from './api-errors.js';
import { accountOrigin } from './hosts.js';
import type { PerAccountRateLimiter } from './rate-limiter.js';
import type { TokenService } from './token-service.js';

export interface AmoApiOptions {
  testBaseUrl: string | null;
  timeoutMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
}

export interface AmoAccount {
  id: number;
  name: string;
  subdomain: string;
}

export type EntityType = 'leads' | 'contacts' | 'companies';

export interface RequestOptions {
  query?: Record<string, string | number>;
  /**
   * Whether repeating the call is harmless. A create (POST) that failed on the network or with
   * a 5xx may still have been made, so it is not repeated here: the caller (the outbox) looks
   * for what it may have created before trying again. A 429 was refused, so it is retried.
   */
  idempotent?: boolean;
}

/** After a 403 nothing is sent for this long (reference §8: a 403 means blocked; it does not heal by retrying). */
export const BLOCKED_PAUSE_MS = 10 * 60 * 1000;

export class AmoApi {
  private readonly http: AxiosInstance;
  private readonly blockedUntil = new Map<number, number>();
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly limiter: PerAccountRateLimiter,
    private readonly log: Logger,
    private readonly options: AmoApiOptions,
    private readonly onBlocked: (accountId: number, message: string) => void = () => {},
  ) {
    this.http = axios.create({ timeout: options.timeoutMs ?? 15_000, validateStatus: () => true, maxRedirects: 0, responseType: 'text', transformResponse: (d) => d });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
  }

  getAccount(accountId: number): Promise<AmoAccount> {
    return this.request<AmoAccount>(accountId, 'GET', '/api/v4/account') as Promise<AmoAccount>;
  }

  /** Any API v4 call; resolves to the parsed body, or null for amoCRM's empty 204. */
  async request<T>(accountId: number, method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T | null> {
    const { query, idempotent = method !== 'POST' } = options;
    if ((this.blockedUntil.get(accountId) ?? 0) > Date.now()) {
      throw new AmoApiError(403, 'amocrm_forbidden', 'amoCRM refused access to this account a moment ago (blocked, or this IP not allowed); nothing is sent for now.', false);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tokens.withAccessToken(accountId, async (account) => {
          await this.limiter.acquire(accountId);
          return this.once<T>(accountOrigin(`${account.subdomain}.${account.baseDomain}`, this.options.testBaseUrl), account.accessToken, method, path, body, query);
        });
      } catch (error) {
        if (error instanceof AmoApiError && error.amoStatus === 403) {
          this.blockedUntil.set(accountId, Date.now() + BLOCKED_PAUSE_MS);
          this.onBlocked(accountId, error.message);
        }
        if (!(error instanceof AmoApiError) || !error.retryable || attempt >= this.maxAttempts) throw error;
        if (!idempotent && error.amoStatus !== 429) throw error;
        const backoff = this.baseBackoffMs * 2 ** (attempt - 1);
        const delay = Math.max(error.retryAfterMs ?? 0, backoff / 2 + Math.random() * backoff);
        this.log.warn({ accountId, method, path, status: error.amoStatus, attempt, delayMs: Math.round(delay) }, 'amoCRM call failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async once<T>(origin: string, accessToken: string, method: Method, path: string, body: unknown, query?: Record<string, string | number>): Promise<T | null> {
    let response;
    try {
      response = await this.http.request({
        url: `${origin}${path}`,
        method,
        params: query,
        data: body,
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      });
    } catch (error) {
      const reason = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      throw new AmoApiError(0, 'amocrm_unreachable', `amoCRM could not be reached (${reason}).`, true);
    }
    const { status } = response;
    if (status === 204) return null;
    const parsed = parseJson(response.data);
    if (status >= 200 && status < 300) return parsed as T;
    this.log.warn(
      { method, path, status, requestId: response.headers['x-request-id'], body: String(response.data ?? '').slice(0, 300) },
      'amoCRM answered an error',
    );
    if (status === 400) throw validationError(parsed);
    if (status === 401) throw new AmoApiError(401, 'amocrm_unauthorized', 'amoCRM refused the access token.', false);
    if (status === 403) {
      throw new AmoApiError(403, 'amocrm_forbidden', 'amoCRM refused access (the account may be blocked or this IP not allowed).', false);
    }
    if (status === 404) throw new AmoApiError(404, 'amocrm_not_found', `amoCRM has no ${path}.`, false);
    if (status === 429 || status >= 500) {
      const code = status === 429 ? 'amocrm_rate_limited' : 'amocrm_unavailable';
      throw new AmoApiError(status, code, `amoCRM answered ${status}.`, true, undefined, parseRetryAfter(response.headers['retry-after']));
    }
    throw new AmoApiError(status, 'amocrm_error', `amoCRM answered ${status}.`, false);
  }
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
