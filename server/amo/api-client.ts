/**
 * amoCRM API v4 calls for an account: token (with refresh), per-account rate limit, retries with
 * backoff for 429/5xx/network errors, and the block pause (reference §6, §8). Requests go
 * through AmoHttp, the one HTTP layer shared with OAuth.
 */
import type { Method } from 'axios';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AccountStateChanges } from './account-state.js';
import { AmoApiError } from './api-errors.js';
import { apiError, type AmoHttp } from './amo-http.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TokenService } from './token-service.js';

export interface AmoApiOptions {
  maxAttempts?: number;
  baseBackoffMs?: number;
  /** Each answer amoCRM gave (status 0: unreachable), with the refusal's kind: the metrics count them. */
  onAnswer?: (status: number, kind?: string) => void;
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
  /** Statuses given back at once instead of retried: the caller has a better answer (a 504 to a batch: send smaller ones). */
  noRetryOn?: number[];
}

/** After amoCRM's block page nothing is sent for this long (reference §8: a block does not heal by retrying). */
export const BLOCKED_PAUSE_MS = 10 * 60 * 1000;

export class AmoApi {
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly onAnswer: (status: number, kind?: string) => void;

  constructor(
    private readonly http: AmoHttp,
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
    private readonly states: AccountStateChanges,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: AmoApiOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.onAnswer = options.onAnswer ?? (() => {});
  }

  getAccount(accountId: number): Promise<AmoAccount> {
    return this.request<AmoAccount>(accountId, 'GET', '/api/v4/account') as Promise<AmoAccount>;
  }

  /** Any API v4 call; resolves to the parsed body, or null for amoCRM's empty 204. */
  async request<T>(accountId: number, method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T | null> {
    const { query, idempotent = method !== 'POST' } = options;
    const pausedUntil = await this.states.pausedUntil(accountId);
    if (pausedUntil !== null) throw pausedError(pausedUntil);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tokens.withAccessToken(accountId, async (account) => {
          await this.limiter.acquire(accountId);
          const response = await this.http.send({ host: `${account.subdomain}.${account.baseDomain}`, method, path, query, body, headers: { Authorization: `Bearer ${account.accessToken}` } }).catch((error: unknown) => {
            if (error instanceof AmoApiError) this.onAnswer(error.amoStatus, error.kind);
            throw error;
          });
          if (response.status >= 200 && response.status < 300) {
            this.onAnswer(response.status);
            return response.status === 204 ? null : (response.body as T);
          }
          const refused = apiError(response, path);
          this.onAnswer(response.status, refused.kind);
          throw refused;
        });
      } catch (error) {
        if (error instanceof AmoApiError && error.kind === 'blocked') {
          const until = this.clock.now() + BLOCKED_PAUSE_MS;
          await this.states.blocked(accountId, until, error.message);
          throw pausedError(until);
        }
        if (!(error instanceof AmoApiError) || !error.retryable || attempt >= this.maxAttempts || options.noRetryOn?.includes(error.amoStatus)) throw error;
        if (!idempotent && error.amoStatus !== 429) throw error;
        const backoff = this.baseBackoffMs * 2 ** (attempt - 1);
        const delay = Math.max(error.retryAfterMs ?? 0, backoff / 2 + Math.random() * backoff);
        this.log.warn({ accountId, method, path, status: error.amoStatus, attempt, delayMs: Math.round(delay) }, 'amoCRM call failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** The pause after a block: callers (the outbox) wait until `until` instead of failing for good. */
function pausedError(until: number): AmoApiError {
  return new AmoApiError(403, 'amocrm_blocked', `amoCRM has blocked this account; nothing is sent until ${new Date(until).toISOString()}.`, 'blocked', { pausedUntil: until });
}
