/**
 * The one source of "now" for the backend. Injected into everything that compares times (token
 * expiry, rate limiter, breaker, cache, outbox), so a test can move time instead of waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
