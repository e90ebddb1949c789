/**
 * express-rate-limit's store over counters in PostgreSQL, so that a limit is one limit for all
 * instances behind a load balancer, not one per instance. Used for the per-site lead limit; the
 * suggestion limit stays per instance (it guards each instance, and a write per keystroke
 * would slow typing down).
 */
import type { Options, Store, IncrementResponse } from 'express-rate-limit';
import type { HitCountersRepository } from '../store/hit-counters-repository.js';

export class SharedLimitStore implements Store {
  private windowMs = 60_000;
  readonly localKeys = false;

  constructor(
    private readonly counters: HitCountersRepository,
    readonly prefix: string,
    private readonly now: () => number,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { hits, resetAt } = await this.counters.hit(`${this.prefix}:${key}`, this.now(), this.windowMs);
    return { totalHits: hits, resetTime: new Date(resetAt) };
  }

  decrement(key: string): Promise<void> {
    return this.counters.unhit(`${this.prefix}:${key}`);
  }

  resetKey(key: string): Promise<void> {
    return this.counters.reset(`${this.prefix}:${key}`);
  }
}
