import express, { Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { WriteDeps } from '../writes.js';
import type { Clock } from '../amo/token-service.js';
import { AppError } from '../errors.js';

/**
 * amoCRM's webhooks (reference §7): form-encoded with bracket keys, answered before any amoCRM
 * call. qs's limits are raised for this route only (amoCRM sends many parameters).
 */
export function webhookRoutes(writes: WriteDeps, clock: Clock): Router {
  const router = Router();
  const parse = express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 10_000 });
  router.post('/api/amocrm/webhooks/:secret', (req, _res, next) => {
    const expected = writes.webhookSecret;
    const given = String(req.params.secret);
    if (!expected || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw new AppError(404, 'not_found', 'No webhook here.');
    }
    next();
  }, parse, (req, res) => {
    const stored = writes.webhooks.receive(req.body ?? {}, clock.now());
    res.status(200).json({ ok: true, duplicate: !stored });
  });
  return router;
}
