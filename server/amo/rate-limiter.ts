/**
 * Keeps each account's requests under amoCRM's limit (7/s per integration, reference §6; we are
 * configured below it). A sliding window over the times requests actually *started*: a request
 * may start only while fewer than `limit` started in the last window. Nothing books future slots,
 * so after an event-loop stall the overdue callers do not fire at once — they start as the window
 * allows, counted at the moment they are let go, and at least window/limit apart. Callers wait in
 * line (first come, first served).
 */
/** Waits until the account may start one more request to amoCRM. */
export interface RateLimiter {
  acquire(accountId: number): Promise<void>;
}

export class PerAccountRateLimiter implements RateLimiter {
  private readonly accounts = new Map<number, { starts: number[]; waiting: Array<() => void>; timer: ReturnType<typeof setTimeout> | null }>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly gapMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    ({ limit: this.limit, windowMs: this.windowMs, gapMs: this.gapMs } = windowFor(perSecond));
  }

  acquire(accountId: number): Promise<void> {
    let state = this.accounts.get(accountId);
    if (!state) this.accounts.set(accountId, (state = { starts: [], waiting: [], timer: null }));
    const queued = new Promise<void>((resolve) => state.waiting.push(resolve));
    this.release(accountId);
    return queued;
  }

  /** Lets waiting callers go while the window has room; otherwise wakes when its oldest start leaves it. */
  private release(accountId: number): void {
    const state = this.accounts.get(accountId)!;
    const now = this.now();
    while (state.starts.length && state.starts[0] <= now - this.windowMs) state.starts.shift();
    // Evenly spaced as well: a window's worth never leaves in one burst, even after a stall.
    while (state.waiting.length && state.starts.length < this.limit && now - (state.starts.at(-1) ?? -Infinity) >= this.gapMs) {
      state.starts.push(now);
      state.waiting.shift()!();
    }
    if (!state.waiting.length) {
      if (!state.starts.length) this.accounts.delete(accountId);
      return;
    }
    if (state.timer) return;
    const windowFree = state.starts.length < this.limit ? now : state.starts[0] + this.windowMs;
    const gapFree = (state.starts.at(-1) ?? -Infinity) + this.gapMs;
    const wait = Math.max(1, Math.ceil(Math.max(windowFree, gapFree) - now));
    state.timer = setTimeout(() => {
      state.timer = null;
      this.release(accountId);
    }, wait);
  }
}

const WINDOW_MARGIN_MS = 20;

/**
 * The window for a rate: 6/s → 6 per second; 0.5/s → 1 per 2 s. A small margin absorbs the time
 * between being let go and the request reaching amoCRM, so amoCRM's own one-second window never
 * sees one more. Shared with the limiter of several instances (shared-rate-limiter.ts).
 */
export function windowFor(perSecond: number): { limit: number; windowMs: number; gapMs: number } {
  const limit = Math.max(1, Math.floor(perSecond));
  const windowMs = (limit * 1000) / perSecond + WINDOW_MARGIN_MS;
  return { limit, windowMs, gapMs: windowMs / limit };
}
