import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PerAccountRateLimiter } from '../../server/amo/rate-limiter.js';

/** Start times let go by the limiter, on a clock the test moves (fake timers move Date.now too). */
async function releases(limiter: PerAccountRateLimiter, accountId: number, n: number, started: number[]): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => limiter.acquire(accountId).then(() => started.push(Date.now()))));
}

/** The most starts within any window of `ms`. */
function busiest(times: number[], ms = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('per-account rate limiter', () => {
  it('never lets more than the limit start in any one second, spread out rather than in a burst', async () => {
    const limiter = new PerAccountRateLimiter(6, () => Date.now());
    const started: number[] = [];
    const done = releases(limiter, 1, 30, started);
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(started).toHaveLength(30);
    expect(busiest(started)).toBeLessThanOrEqual(6);
    const gaps = started.slice(1).map((t, i) => t - started[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(160); // about 1000/6 apart
  });

  it('after an event-loop stall the overdue callers do not fire at once', async () => {
    const limiter = new PerAccountRateLimiter(6, () => Date.now());
    const started: number[] = [];
    const done = releases(limiter, 1, 20, started);
    await vi.advanceTimersByTimeAsync(500);
    const beforeStall = started.length;
    // A 3-second stall: the clock jumps, timers that were due fire late, all at the same moment.
    vi.setSystemTime(Date.now() + 3000);
    await vi.advanceTimersByTimeAsync(1);
    expect(started.length - beforeStall).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(busiest(started)).toBeLessThanOrEqual(6);
  });

  it('keeps accounts apart: one busy account does not slow another', async () => {
    const limiter = new PerAccountRateLimiter(2, () => Date.now());
    const busy: number[] = [];
    const quiet: number[] = [];
    void releases(limiter, 1, 10, busy);
    const other = releases(limiter, 2, 1, quiet);
    await vi.advanceTimersByTimeAsync(1);
    await other;
    expect(quiet).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
  });
});
