/**
 * The per-account limit for several instances together (reference §6: 7 requests a second per
 * integration, whichever instance sends them). The same rule as the in-process limiter
 * (rate-limiter.ts) — a sliding window over the times requests were actually let go, and at
 * least window/limit between two starts — with the window kept in PostgreSQL
 * (store/send-starts-repository.ts). A caller that stalled simply asks again when it wakes, so a
 * stall never turns into a burst. Callers of one instance queue in memory first (first come,
 * first served), so each instance asks the database for one caller at a time per account.
 */
import type { SendStartsRepository } from '../store/send-starts-repository.js';
import { KeyedLock } from '../store/keyed-lock.js';
import { windowFor, type RateLimiter } from './rate-limiter.js';

export class SharedRateLimiter implements RateLimiter {
  private readonly queue = new KeyedLock();
  private readonly window: ReturnType<typeof windowFor>;

  constructor(
    perSecond: number,
    private readonly starts: SendStartsRepository,
  ) {
    this.window = windowFor(perSecond);
  }

  acquire(accountId: number): Promise<void> {
    const { limit, windowMs, gapMs } = this.window;
    return this.queue.run(String(accountId), async () => {
      for (;;) {
        const wait = await this.starts.tryStart(`amo:${accountId}`, limit, windowMs, gapMs);
        if (wait === 0) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    });
  }
}
