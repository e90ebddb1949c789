import express, { Router, type Request } from 'express';
import type { WebhookUrls } from '../intake/webhook-urls.js';
import type { WebhookInbox } from '../writes/webhook-inbox.js';
import { AppError } from '../errors.js';
import { countParameters, WEBHOOK_FORM_LIMITS } from '../intake/webhook-form.js';
import type { WebhookParser } from '../intake/webhook-parser.js';
import { perAccountLimit, type AccountLimitDeps } from './account-limits.js';
import { FairQueue } from './fair-queue.js';

/**
 * Deliveries waiting for the parser, per account and in all, before new ones are told to come back
 * (amoCRM retries later). Accounts take turns: a flood of one never queues another's delivery behind it.
 */
const WAITING_PARSES = { perAccount: 4, total: 64 };

/**
 * amoCRM's webhooks (reference §7): form-encoded with bracket keys, answered before any amoCRM
 * call. The URL names the account and carries its secret (WebhookUrls); an unknown or malformed
 * path is a quiet 404, whatever bytes it holds.
 *
 * What a delivery may cost is bounded before it is read: a declared length over the limit is a
 * 413 at once, each account has its own rate, the parameters are counted on the raw text before
 * any parse, and the parse itself runs one delivery at a time, accounts taking turns, in a worker
 * thread that never delays a suggestion (webhook-parser.ts). Over the rate amoCRM gets a 429 and delivers again later.
 */
export function webhookRoutes(deps: { urls: WebhookUrls | null; inbox: WebhookInbox; parser: WebhookParser; perMinute: number } & AccountLimitDeps): Router {
  const router = Router();
  const tooLarge = () => new AppError('payload_too_large', `A webhook may carry at most ${WEBHOOK_FORM_LIMITS.bytes / 1024} KB and ${WEBHOOK_FORM_LIMITS.parameters} parameters.`);
  const bytes = express.raw({ type: () => true, limit: WEBHOOK_FORM_LIMITS.bytes });
  const turns = new FairQueue(WAITING_PARSES);
  const limit = perAccountLimit(deps, {
    name: 'webhooks',
    perMinute: deps.perMinute,
    windowSeconds: 5,
    closeOnRefusal: true,
    account: (req: Request) => req.webhookAccountId ?? null,
    message: 'Too many webhook deliveries for this account; amoCRM will deliver again later.',
  });
  router.post('/api/amocrm/webhooks/:accountId/:secret', (req, res, next) => {
    const accountId = deps.urls?.verify(String(req.params.accountId), String(req.params.secret)) ?? null;
    if (accountId === null) throw new AppError('not_found', 'No webhook here.');
    req.webhookAccountId = accountId;
    if (Number(req.get('content-length') ?? 0) > WEBHOOK_FORM_LIMITS.bytes) {
      res.setHeader('Connection', 'close');
      throw tooLarge();
    }
    next();
  }, limit, bytes, async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (countParameters(raw) > WEBHOOK_FORM_LIMITS.parameters) throw tooLarge();
    const parsed = await turns.run(req.webhookAccountId!, () => deps.parser.parse(raw));
    if (parsed === null) throw new AppError('rate_limited', 'Too many webhook deliveries are being read; amoCRM will deliver again later.', { retryAfterSeconds: 5 });
    const stored = await deps.inbox.receive(req.webhookAccountId!, parsed.form, parsed.sha256);
    res.status(200).json({ ok: true, duplicate: !stored });
  });
  return router;
}

declare module 'express-serve-static-core' {
  interface Request {
    webhookAccountId?: number;
  }
}
