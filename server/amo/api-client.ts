/**
 * The one choke point for amoCRM API v4: token (with refresh), per-account rate limit,
 * retries with backoff for 429/5xx/network errors, and error mapping (reference §6, §8).
 * Bodies of 403/429 may be HTML: nothing is JSON-parsed blindly.
 */
import axios, { type AxiosInstance, type Method, isAxiosError } from 'axios';
import type { Logger } from 'pino';
import { AmoApiError, forbiddenError, parseRetryAfter, validationError } from './api-errors.js';
import { endpointFor, type Endpoint } from './hosts.js';
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

/** After amoCRM's block page nothing is sent for this long (reference §8: a block does not heal by retrying). */
export const BLOCKED_PAUSE_MS = 10 * 60 * 1000;

/** Where the block pause is kept (the accounts table: it survives a restart). */
export interface AccountPause {
  pausedUntil(accountId: number, now: number): number | null;
  pause(accountId: number, until: number, reason: string, now: number): void;
}

export class AmoApi {
  private readonly http: AxiosInstance;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly limiter: PerAccountRateLimiter,
    private readonly log: Logger,
    private readonly options: AmoApiOptions,
    private readonly pauses: AccountPause,
    private readonly now: () => number = Date.now,
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
    const pausedUntil = this.pauses.pausedUntil(accountId, this.now());
    if (pausedUntil !== null) throw pausedError(pausedUntil);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tokens.withAccessToken(accountId, async (account) => {
          await this.limiter.acquire(accountId);
          return this.once<T>(endpointFor(`${account.subdomain}.${account.baseDomain}`, this.options.testBaseUrl), account.accessToken, method, path, body, query);
        });
      } catch (error) {
        if (error instanceof AmoApiError && error.kind === 'blocked') {
          const until = this.now() + BLOCKED_PAUSE_MS;
          this.pauses.pause(accountId, until, error.message, this.now());
          throw pausedError(until);
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

  private async once<T>({ origin, headers }: Endpoint, accessToken: string, method: Method, path: string, body: unknown, query?: Record<string, string | number>): Promise<T | null> {
    let response;
    try {
      response = await this.http.request({
        url: `${origin}${path}`,
        method,
        params: query,
        data: body,
        headers: { ...headers, Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      });
    } catch (error) {
      const reason = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      throw new AmoApiError(0, 'amocrm_unreachable', `amoCRM could not be reached (${reason}).`, 'retryable');
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
    if (status === 401) throw new AmoApiError(401, 'amocrm_unauthorized', 'amoCRM refused the access token.', 'auth');
    if (status === 403) throw forbiddenError(path, isProblem(response.headers['content-type']) ? parsed : null);
    if (status === 404) throw new AmoApiError(404, 'amocrm_not_found', `amoCRM has no ${path}.`, 'final');
    if (status === 429 || status >= 500) {
      const code = status === 429 ? 'amocrm_rate_limited' : 'amocrm_unavailable';
      throw new AmoApiError(status, code, `amoCRM answered ${status}.`, 'retryable', undefined, parseRetryAfter(response.headers['retry-after']));
    }
    throw new AmoApiError(status, 'amocrm_error', `amoCRM answered ${status}.`, 'final');
  }
}

/** The pause after a block: callers (the outbox) wait until `until` instead of failing for good. */
function pausedError(until: number): AmoApiError {
  return new AmoApiError(403, 'amocrm_blocked', `amoCRM has blocked this account; nothing is sent until ${new Date(until).toISOString()}.`, 'blocked', { pausedUntil: until });
}

/** JSON error bodies come as application/problem+json or application/json; the block page is HTML. */
function isProblem(contentType: unknown): boolean {
  return typeof contentType === 'string' && /json/i.test(contentType);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
