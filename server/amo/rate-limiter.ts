/**
 * Spaces requests per account so that no window of one second ever holds more than
 * `perSecond` starts (amoCRM allows 7/s per integration, reference §6; we stay below it).
 * Callers wait in line; nothing bursts, however many arrive at once.
 */
export class PerAccountRateLimiter {
  private readonly nextSlot = new Map<number, number>();
  private readonly spacingMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    // A hair over 1000/perSecond so timer rounding can never squeeze one more start into a second.
    this.spacingMs = 1000 / perSecond + 1;
  }

  async acquire(accountId: number): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(accountId) ?? 0);
    this.nextSlot.set(accountId, slot + this.spacingMs);
    const wait = slot - now;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
  }
}
