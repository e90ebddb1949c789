/**
 * The per-account limit for several instances together (reference §6: 7 requests a second per
 * integration, whichever instance sends them). Every start is booked in PostgreSQL as an evenly
 * spaced slot, `1/rate` apart plus a margin. A caller that wakes later than half a gap after its
 * slot (a stalled event loop) gives the slot up and books a new one, so a stall never turns into
 * a burst: every start lies within half a gap after its own slot.
 */
import type { SendSlotsRepository } from '../store/send-slots-repository.js';
import type { RateLimiter } from './rate-limiter.js';

export class SharedRateLimiter implements RateLimiter {
  private readonly gapMs: number;

  constructor(
    perSecond: number,
    private readonly slots: SendSlotsRepository,
    private readonly now: () => number = () => Date.now(),
  ) {
    // The same margin as the in-process limiter: a start is counted when it is let go, amoCRM
    // counts it when it arrives.
    this.gapMs = 1000 / perSecond + SLOT_MARGIN_MS;
  }

  async acquire(accountId: number): Promise<void> {
    for (;;) {
      const slot = await this.slots.book(`amo:${accountId}`, this.now(), this.gapMs);
      let wait = slot - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      wait = slot - this.now();
      if (wait > -this.gapMs / 2) return;
    }
  }
}

const SLOT_MARGIN_MS = 4;
