/**
 * Drains the outbox: claims due items, runs the handler for their kind, and records the outcome.
 * Handlers save their progress through `step` so that a retry (after an error, a restart or a
 * kill -9) continues where the last attempt stopped instead of repeating a create.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { AmoApiError } from '../amo/api-errors.js';
import { ContinueLater, type JobHandler, type JobHandlers, type JobItem, type JobKind, type Outbox, type OutboxJobs, type StepContext } from './jobs.js';

/** Errors that no retry will fix: the item is parked at once with the reason. */
function isFinal(error: unknown): boolean {
  if (error instanceof AmoApiError) return error.kind === 'final' || error.kind === 'rights';
  return error instanceof AppError && error.status >= 400 && error.status < 500 && error.code !== 'reconnect_required' && error.code !== 'account_not_connected';
}

/** amoCRM blocked the account: the item waits for the pause to end; the attempt does not count. */
function pausedUntil(error: unknown): number | null {
  if (!(error instanceof AmoApiError) || error.kind !== 'blocked') return null;
  const until = Number(error.details?.pausedUntil);
  return Number.isFinite(until) ? until : null;
}

/** Another worker claimed the item after this one's lease ran out. */
class LeaseLostError extends Error {
  constructor(id: number) {
    super(`outbox item ${id}: lease lost`);
  }
}

export class OutboxWorker {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = 0;
  private stopped = true;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly outbox: Outbox,
    /** null in demo mode: nothing is sent (and nothing is claimed). */
    private readonly handlers: JobHandlers | null,
    private readonly options: Config['outbox'],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * Resolves at the next pass that finds nothing due and nothing running: everything that could
   * be sent now has been. (Tests wait on this instead of sleeping; a shutdown could too.)
   */
  whenIdle(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.poke();
    return idle;
  }

  /**
   * Ask for a pass now (after an enqueue), instead of waiting for the poll — also while other
   * items run, if a slot is free: a long item (a clean job's turn) never holds a new write-back
   * back until it ends.
   */
  poke(): void {
    if (!this.stopped && this.running < this.options.concurrency) this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), delay);
  }

  private async pass(): Promise<void> {
    this.timer = null;
    const free = this.options.concurrency - this.running;
    let items: Array<JobItem<JobKind>> = [];
    try {
      items = free > 0 && this.handlers ? await this.outbox.claim(this.clock.now(), this.options.leaseMs, free, this.options.perAccount) : [];
    } catch (error) {
      // The database is away (a PostgreSQL restart): try again at the next poll.
      this.log.error({ error: (error as Error).message }, 'outbox claim failed');
      return this.schedule(this.options.pollMs);
    }
    if (!items.length && this.running === 0) {
      this.idleWaiters.splice(0).forEach((resolve) => resolve());
      return this.schedule(this.options.pollMs);
    }
    for (const item of items) {
      this.running++;
      void this.run(item).finally(() => {
        this.running--;
        this.schedule(0);
      });
    }
    if (!items.length) this.schedule(this.options.pollMs);
  }

  private async run<K extends JobKind>(item: JobItem<K>): Promise<void> {
    const state: OutboxJobs[K]['state'] = { ...item.state };
    const attempt = item.attempts;
    // The lease is renewed while the item runs, so only a dead worker's items come back; a
    // worker that lost its lease anyway (a long stall) learns it at its next save and stops.
    const renewal = setInterval(() => void this.outbox.renew(item.id, attempt, this.clock.now() + this.options.leaseMs).catch(() => {}), Math.max(50, this.options.leaseMs / 3));
    renewal.unref();
    const step: StepContext<OutboxJobs[K]['state']> = {
      state,
      save: async (patch) => {
        Object.assign(state, patch);
        if (!(await this.outbox.saveState(item.id, state, this.clock.now(), attempt))) throw new LeaseLostError(item.id);
      },
    };
    try {
      // A row written by a newer version may name a kind this one does not know.
      const handler: JobHandler<K> | undefined = this.handlers?.[item.kind];
      if (!handler) throw new AppError('unknown_job', `No handler for outbox items of kind "${item.kind}".`);
      await handler(item, step);
      if (!(await this.outbox.complete(item.id, state, this.clock.now(), attempt))) throw new LeaseLostError(item.id);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.log.warn({ outboxId: item.id, kind: item.kind, attempt }, 'outbox item taken over by another worker after its lease ran out: this one stops');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ContinueLater) {
        await this.outbox.postpone(item.id, message, this.clock.now(), this.clock.now(), attempt);
        return;
      }
      const waitUntil = pausedUntil(error);
      if (waitUntil !== null) {
        await this.outbox.postpone(item.id, message, this.clock.now(), waitUntil, attempt);
        this.log.warn({ outboxId: item.id, kind: item.kind, accountId: item.accountId, until: new Date(waitUntil).toISOString() }, 'outbox item waits: the account is blocked');
        return;
      }
      const final = isFinal(error) || item.attempts >= this.options.maxAttempts;
      const backoff = this.options.retryBaseMs * 2 ** Math.min(item.attempts - 1, 10);
      const retryAt = final ? null : this.clock.now() + backoff / 2 + Math.random() * backoff;
      await this.outbox.fail(item.id, message, this.clock.now(), retryAt, attempt).catch((failError: Error) => this.log.error({ outboxId: item.id, error: failError.message }, 'outbox failure not recorded: the lease will bring the item back'));
      this.log[final ? 'error' : 'warn']({ outboxId: item.id, kind: item.kind, accountId: item.accountId, attempt: item.attempts, parked: final, error: message }, final ? 'outbox item parked' : 'outbox item failed, will retry');
    } finally {
      clearInterval(renewal);
    }
  }
}
