/**
 * Per-account rate limits for the routes one account's users (or its webhook URL) can call
 * in a loop: each account has its own budget, so one account's burst never spends another's.
 * With PostgreSQL the counters are shared by all instances (SharedLimitStore); without it
 * each instance counts alone.
 */
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { HitCountersRepository } from '../store/hit-counters-repository.js';
import { AppError } from '../errors.js';
import { SharedLimitStore } from './shared-limit-store.js';

export interface AccountLimitDeps {
  hitCounters: HitCountersRepository | null;
  now: () => number;
}

export function perAccountLimit(
  deps: AccountLimitDeps,
  options: { name: string; perMinute: number; account: (req: Request) => number | null; message: string; windowSeconds?: number; closeOnRefusal?: boolean },
): RequestHandler {
  // A shorter window spreads the budget: 600 a minute in 5 s windows is at most 50 at once.
  const windowSeconds = options.windowSeconds ?? 60;
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit: Math.max(1, Math.round((options.perMinute * windowSeconds) / 60)),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // A call with no account (the demo, an anonymous call) is limited as account 0.
    keyGenerator: (req) => `account:${options.account(req) ?? 0}`,
    ...(deps.hitCounters ? { store: new SharedLimitStore(deps.hitCounters, options.name, deps.now) } : {}),
    handler: (_req, res, next) => {
      // The body of a refused upload is not read: closing the connection stops it coming.
      if (options.closeOnRefusal) res.setHeader('Connection', 'close');
      // express-rate-limit's RateLimit header (draft-7) tells when the window resets.
      const reset = /reset=(\d+)/.exec(String(res.getHeader('RateLimit') ?? ''))?.[1];
      next(new AppError('rate_limited', options.message, { retryAfterSeconds: Math.max(1, Number(reset ?? 60)) }));
    },
  });
}

/** A budget a minute per key a request is counted under (a site key, an IP), shared by the instances as the per-account ones. */
export function perKeyLimit(deps: AccountLimitDeps, options: { name: string; perMinute: number; key: (req: Request) => string; refuse: RequestHandler }): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: options.key,
    ...(deps.hitCounters ? { store: new SharedLimitStore(deps.hitCounters, options.name, deps.now) } : {}),
    handler: options.refuse,
  });
}
