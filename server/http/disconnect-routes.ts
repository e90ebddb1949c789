import { Router } from 'express';
import type { DisconnectAccount } from '../amo/disconnect-account.js';
import { stringParams } from './query.js';

const PARAMS = ['client_uuid', 'account_id', 'signature'] as const;

/** amoCRM calls this with GET (reference §4); POST is accepted too, from a query or a form/JSON body. */
export function disconnectRoutes(disconnect: DisconnectAccount): Router {
  const router = Router();
  const path = '/api/amocrm/integration/disconnect';
  router.all(path, async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    const source = req.method === 'POST' && req.body && Object.keys(req.body).length ? req.body : req.query;
    const result = await disconnect.run(stringParams(source, PARAMS));
    req.log.info({ accountId: result.accountId, known: result.known }, 'amoCRM account disconnected');
    res.status(200).json({ ok: true });
  });
  return router;
}
