/**
 * Wraps a remote provider: one retry on a network error, a circuit breaker that stops calling a
 * failing provider for a while, and the local index as the fallback, labelled `local-fallback`.
 */
import type { Logger } from 'pino';
import type { Geocoder, Suggestion, SuggestOptions } from './types.js';
import { ProviderError } from './providers/provider-http.js';

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
  now: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  constructor(private readonly options: BreakerOptions) {}

  /** Closed, or half-open after the pause: one call may try again. */
  get allows(): boolean {
    return this.options.now() >= this.openUntil;
  }
  get isOpen(): boolean {
    return !this.allows;
  }
  success(): void {
    this.failures = 0;
  }
  failure(): void {
    this.failures++;
    if (this.failures >= this.options.failureThreshold) this.openUntil = this.options.now() + this.options.openMs;
  }
}

export class ResilientGeocoder implements Geocoder {
  readonly name;
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly primary: Geocoder,
    private readonly fallback: Geocoder,
    private readonly log: Logger,
    breaker?: Partial<BreakerOptions>,
  ) {
    this.name = primary.name;
    this.breaker = new CircuitBreaker({ failureThreshold: 5, openMs: 30_000, now: Date.now, ...breaker });
  }

  async suggest(query: string, options: SuggestOptions): Promise<Suggestion[]> {
    if (!this.breaker.allows) return this.fallBack(query, options);
    try {
      const result = await this.callWithRetry(query, options);
      this.breaker.success();
      return result;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // A 4xx other than 429 (bad key, bad request) is a configuration problem: loud, but no breaker.
      if (error.transient) this.breaker.failure();
      this.log.warn({ provider: error.provider, status: error.status, breakerOpen: this.breaker.isOpen }, 'geocoder failed, answering from the local index');
      return this.fallBack(query, options);
    }
  }

  private async callWithRetry(query: string, options: SuggestOptions): Promise<Suggestion[]> {
    try {
      return await this.primary.suggest(query, options);
    } catch (error) {
      if (error instanceof ProviderError && error.status === 0 && !/timeout|ECONNABORTED|ETIMEDOUT/i.test(error.message)) {
        return this.primary.suggest(query, options);
      }
      throw error;
    }
  }

  private async fallBack(query: string, options: SuggestOptions): Promise<Suggestion[]> {
    const local = await this.fallback.suggest(query, options);
    return local.map((s) => ({ ...s, source: 'local-fallback' as const }));
  }
}
