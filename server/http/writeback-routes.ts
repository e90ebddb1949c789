import { Router } from 'express';
import { z } from 'zod';
import type { DisposableTokenVerifier } from '../amo/disposable-token.js';
import type { EntityType } from '../amo/api-client.js';
import type { WritebackRequests } from '../writes/writeback-requests.js';
import { AppError, notConfigured } from '../errors.js';
import { widgetAuth, widgetCors } from './widget-auth.js';
import { addressPart, parseInput } from './validation.js';
import { perAccountLimit, type AccountLimitDeps } from './account-limits.js';

const bodySchema = z
  .object({
    fieldId: z.number({ error: 'must be the address field id (a number)' }).int().positive(),
    value: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
    data: z.record(z.string(), addressPart).optional(),
    source: z.string().max(30).optional(),
  })
  .strict();

const ENTITIES: readonly string[] = ['leads', 'contacts', 'companies'] satisfies EntityType[];

/**
 * The widget's write-back of a chosen address (writes/writeback-requests.ts): 202 queued,
 * 200 unchanged. Called cross-origin from amoCRM's pages, so it answers their preflight (reference §5).
 */
export function writebackRoutes(deps: { requests: WritebackRequests | null; verifier: DisposableTokenVerifier | null; publicUrl: string; perMinute: number } & AccountLimitDeps): Router {
  const router = Router();
  const limit = perAccountLimit(deps, { name: 'writeback', perMinute: deps.perMinute, account: (req) => req.caller?.accountId ?? null, message: 'Too many address writes from this account; wait a minute.' });
  router.use('/api/amocrm/:entity/:id/address', widgetCors(deps.publicUrl));
  router.post('/api/amocrm/:entity/:id/address', widgetAuth(deps.verifier, true), limit, async (req, res) => {
    const entity = String(req.params.entity);
    if (!ENTITIES.includes(entity)) throw new AppError('invalid_parameter', '"entity" must be leads, contacts or companies.', { field: 'entity' });
    const entityId = Number(req.params.id);
    if (!Number.isSafeInteger(entityId) || entityId <= 0) throw new AppError('invalid_parameter', '"id" must be the id of a saved entity.', { field: 'id' });
    if (!req.caller) throw new AppError('auth_required', 'Call this from the amoCRM widget.');
    const body = parseInput(bodySchema, req.body);
    if (!deps.requests) throw notConfigured('Set the amoCRM credentials first.');
    const answer = await deps.requests.request(req.caller, entity as EntityType, entityId, body);
    res.status(answer.status === 'unchanged' ? 200 : 202).json(answer);
  });
  return router;
}
