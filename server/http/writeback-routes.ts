import { Router } from 'express';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { WriteDeps } from '../writes.js';
import type { AddressService } from '../geocoding/address-service.js';
import type { DisposableTokenVerifier } from '../amo/disposable-token.js';
import type { Clock } from '../amo/token-service.js';
import type { EntityType } from '../amo/api-client.js';
import { fitsTarget } from '../outbox/field-mapping.js';
import { AppError, badRequest } from '../errors.js';
import { widgetAuth, widgetCors } from './widget-auth.js';
import { parseInput } from './validation.js';

const partValue = z.union([z.string().max(200), z.number(), z.null()]);
const bodySchema = z
  .object({
    fieldId: z.number({ error: 'must be the address field id (a number)' }).int().positive(),
    value: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
    data: z.record(z.string(), partValue).optional(),
    source: z.string().max(30).optional(),
  })
  .strict();

/**
 * The widget's write-back of a chosen address into a card's entity. Only an address field of
 * that entity is accepted (FieldMapping.authorize, against amoCRM's /custom_fields), and only a
 * value the field takes. Durable (an outbox item, 202); the same value twice makes one write.
 * Called cross-origin from amoCRM's pages, so it answers their preflight (reference §5).
 */
export function writebackRoutes(deps: { writes: WriteDeps; addresses: AddressService; verifier: DisposableTokenVerifier | null; clock: Clock; publicUrl: string }): Router {
  const router = Router();
  router.use('/api/amocrm/:entity/:id/address', widgetCors(deps.publicUrl));
  router.post('/api/amocrm/:entity/:id/address', widgetAuth(deps.verifier, true), async (req, res) => {
    const entity = String(req.params.entity) as EntityType;
    if (!['leads', 'contacts', 'companies'].includes(entity)) throw badRequest('invalid_parameter', '"entity" must be leads, contacts or companies.', { field: 'entity' });
    const entityId = Number(req.params.id);
    if (!Number.isSafeInteger(entityId) || entityId <= 0) throw badRequest('invalid_parameter', '"id" must be the id of a saved entity.', { field: 'id' });
    if (!req.caller) throw new AppError(401, 'auth_required', 'Call this from the amoCRM widget.');
    const body = parseInput(bodySchema, req.body);
    if (!deps.writes.mapping) throw new AppError(503, 'not_configured', 'Set the amoCRM credentials first.');
    const { accountId } = req.caller;
    const target = await deps.writes.mapping.authorize(accountId, entity, body.fieldId);
    if (!fitsTarget(target, body.value)) {
      throw badRequest('value_too_long', `Field ${body.fieldId} is a text field: amoCRM takes at most 256 characters there.`, { field: 'value' });
    }
    const key = { accountId, entity, entityId, fieldId: body.fieldId };
    const last = deps.writes.writebacks.last(key);
    deps.addresses.remember(accountId, { value: body.value, data: body.data ?? {}, source: body.source });
    if (last?.value === body.value) return void res.status(200).json({ status: 'unchanged' });
    // One item per (target, value, last write): a double click queues one write.
    const dedupe = `wb:${accountId}:${entity}:${entityId}:${body.fieldId}:${createHash('sha256').update(body.value).digest('hex').slice(0, 16)}:${last?.writtenAt ?? 0}`;
    const payload = { entity, entityId, fieldId: body.fieldId, value: body.value, data: body.data ?? null };
    const { id, duplicate } = deps.writes.outbox.enqueue(accountId, 'writeback', payload, deps.clock.now(), dedupe);
    deps.writes.poke();
    res.status(202).json({ id, status: duplicate ? 'already_queued' : 'queued' });
  });
  return router;
}
