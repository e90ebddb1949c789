import { Router, type RequestHandler } from 'express';
import cors from 'cors';
import { ipKeyGenerator } from 'express-rate-limit';
import type { SiteKey, SiteKeysRepository } from '../store/site-keys-repository.js';
import type { IntakeService } from '../writes/intake-service.js';
import { intakeSchema } from '../intake/intake-schema.js';
import { AppError } from '../errors.js';
import { parseInput } from './validation.js';
import { perKeyLimit } from './account-limits.js';
import type { HitCountersRepository } from '../store/hit-counters-repository.js';

declare module 'express-serve-static-core' {
  interface Request {
    site?: SiteKey;
  }
}

/**
 * Website lead intake. Forms may post from the browser, so any origin is allowed; the per-site
 * key (X-Api-Key or Authorization: Bearer) says which site and account a lead belongs to.
 */
export function intakeRoutes(deps: {
  siteKeys: SiteKeysRepository;
  intake: IntakeService;
  limitPerMinute: number;
  now: () => number;
  /** Counters shared by all instances (PostgreSQL); none: this process counts alone. */
  hitCounters: HitCountersRepository | null;
}): Router {
  const router = Router();
  const siteAuth: RequestHandler = async (req, _res, next) => {
    const key = req.get('x-api-key') ?? /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const site = key ? await deps.siteKeys.verify(key, deps.now()) : null;
    if (!site) throw new AppError('invalid_api_key', 'Send the site API key in X-Api-Key (an admin creates it with npm run site-key).');
    req.site = site;
    next();
  };
  const limiter = perKeyLimit(deps, {
    name: 'intake',
    perMinute: deps.limitPerMinute,
    key: (req) => (req.site ? `site:${req.site.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`),
    refuse: (_req, _res, next) => next(new AppError('rate_limited', 'Too many leads from this site; wait a minute.', { retryAfterSeconds: 60 })),
  });
  router.use('/api/leads', cors({ origin: true, allowedHeaders: ['X-Api-Key', 'Authorization', 'Content-Type', 'Idempotency-Key'], exposedHeaders: ['Idempotent-Replayed'], methods: ['GET', 'POST'], maxAge: 600 }));

  router.post('/api/leads', siteAuth, limiter, async (req, res) => {
    const lead = parseInput(intakeSchema, req.body);
    const key = req.get('idempotency-key') ?? null;
    if (key !== null && !/^[\x21-\x7e]{1,255}$/.test(key)) throw new AppError('invalid_parameter', 'Idempotency-Key must be 1–255 visible ASCII characters (a UUID, say).', { field: 'Idempotency-Key' });
    const { id, replayed } = await deps.intake.accept(req.site!, lead, key);
    // A retry with the same key gets the first answer (the IETF Idempotency-Key draft; Stripe's API does the same).
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).json({ id, status: 'queued' });
  });

  router.get('/api/leads/:id', siteAuth, async (req, res) => {
    const view = await deps.intake.view(req.site!, String(req.params.id));
    if (!view) throw new AppError('lead_not_found', 'No lead with this id was posted with this key.');
    res.json(view);
  });
  return router;
}
