import { Router } from 'express';
import { z } from 'zod';
import type { WriteDeps } from '../writes.js';
import type { Clock } from '../amo/token-service.js';
import type { EntityType } from '../amo/api-client.js';
import { accountSettingsSchema, type AccountSettings } from '../store/account-settings-repository.js';
import { AppError, badRequest } from '../errors.js';
import { requireAdmin } from './admin-auth.js';
import { unwritableReason } from '../amo/address-fields.js';
import { parseInput } from './validation.js';

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];

function positiveId(value: unknown, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest('invalid_parameter', `"${field}" must be a positive number.`, { field });
  return n;
}

/** Admin: site keys, the outbox (parked items and retry), field mapping, webhook subscription. */
export function adminRoutes(writes: WriteDeps, clock: Clock, adminToken: string | null): Router {
  const router = Router();
  router.use('/api/admin', requireAdmin(adminToken));
  const crm = () => {
    if (!writes.crm) throw new AppError(503, 'not_configured', 'Set the amoCRM credentials first.');
    return writes.crm;
  };

  router.post('/api/admin/site-keys', (req, res) => {
    const body = parseInput(z.object({ accountId: z.number().int().positive(), name: z.string().trim().min(1).max(100) }).strict(), req.body);
    const { siteKey, key } = writes.siteKeys.create(body.accountId, body.name, clock.now());
    res.status(201).json({ ...siteKey, key, note: 'Shown once: store it in the website’s configuration.' });
  });
  router.get('/api/admin/site-keys', (_req, res) => void res.json({ siteKeys: writes.siteKeys.list() }));
  router.delete('/api/admin/site-keys/:id', (req, res) => {
    if (!writes.siteKeys.revoke(positiveId(req.params.id, 'id'), clock.now())) throw new AppError(404, 'not_found', 'No active site key with this id.');
    res.status(204).end();
  });

  router.get('/api/admin/outbox', (req, res) => {
    const status = z.enum(['pending', 'done', 'parked']).catch('parked').parse(req.query.status);
    const items = writes.outbox.list(status).map((i) => ({ id: i.id, accountId: i.accountId, kind: i.kind, status: i.status, attempts: i.attempts, lastError: i.lastError, state: i.state, createdAt: new Date(i.createdAt).toISOString(), updatedAt: new Date(i.updatedAt).toISOString() }));
    res.json({ counts: writes.outbox.counts(), items });
  });
  router.post('/api/admin/outbox/retry-parked', (_req, res) => {
    const retried = writes.outbox.retry('all-parked', clock.now());
    writes.poke();
    res.json({ retried });
  });
  router.post('/api/admin/outbox/:id/retry', (req, res) => {
    const retried = writes.outbox.retry(positiveId(req.params.id, 'id'), clock.now());
    if (!retried) throw new AppError(404, 'not_found', 'No parked item with this id.');
    writes.poke();
    res.json({ retried });
  });

  // What the admin chooses from: the account's custom fields and pipelines, as amoCRM lists them.
  router.get('/api/admin/accounts/:id/fields', async (req, res) => {
    const accountId = positiveId(req.params.id, 'id');
    const fields = Object.fromEntries(await Promise.all(ENTITIES.map(async (e) => [e, await crm().customFields(accountId, e, { fresh: true })] as const)));
    res.json({ fields, pipelines: await crm().pipelines(accountId), settings: writes.settings.get(accountId) });
  });

  router.put('/api/admin/accounts/:id/settings', async (req, res) => {
    const accountId = positiveId(req.params.id, 'id');
    if (!req.is('application/json')) throw badRequest('invalid_body', 'Send the settings as JSON (Content-Type: application/json); nothing was changed.');
    const settings = parseInput(accountSettingsSchema, req.body);
    await checkAgainstAmo(accountId, settings);
    writes.settings.save(accountId, settings, clock.now());
    res.json({ settings });
  });

  router.post('/api/admin/accounts/:id/webhook', (req, res) => {
    const accountId = positiveId(req.params.id, 'id');
    if (!writes.webhookUrls) throw new AppError(503, 'not_configured', 'Set the amoCRM credentials first.');
    const { id } = writes.outbox.enqueue(accountId, 'subscribe', { mode: 'subscribe' }, clock.now());
    writes.poke();
    res.status(202).json({ id, status: 'queued', destination: writes.webhookUrls.destination(accountId) });
  });

  // One command for every connected account: our older webhook destinations move to each account's own URL.
  router.post('/api/admin/webhooks/move', (_req, res) => {
    if (!writes.webhookUrls) throw new AppError(503, 'not_configured', 'Set the amoCRM credentials first.');
    const queued = writes.accounts.list().filter((a) => a.status === 'connected').map((a) => writes.outbox.enqueue(a.accountId, 'subscribe', { mode: 'move' }, clock.now()).id);
    writes.poke();
    res.status(202).json({ queued: queued.length });
  });

  /** Every chosen id must be one amoCRM lists for that entity (or pipeline). */
  async function checkAgainstAmo(accountId: number, settings: AccountSettings): Promise<void> {
    for (const entity of ENTITIES) {
      const chosen = settings.fields[entity];
      if (!chosen) continue;
      const known = await crm().customFields(accountId, entity, { fresh: true });
      for (const [part, id] of Object.entries(chosen)) {
        if (id === undefined) continue;
        const field = known.find((f) => f.id === id);
        if (!field) throw badRequest('unknown_field', `"fields.${entity}.${part}": amoCRM has no ${entity} field ${id}.`, { field: `fields.${entity}.${part}` });
        // Only types we can write (reference §6): a legal_entity, list, number or date field is refused here, in words.
        const reason = unwritableReason(field, part === 'address' ? 'address' : 'part');
        if (reason) throw badRequest('unsupported_field_type', `"fields.${entity}.${part}": ${reason}.`, { field: `fields.${entity}.${part}` });
      }
    }
    if (settings.pipelineId || settings.statusId) {
      const pipeline = (await crm().pipelines(accountId)).find((p) => p.id === settings.pipelineId);
      if (!pipeline) throw badRequest('unknown_pipeline', `"pipelineId": amoCRM has no pipeline ${settings.pipelineId}.`, { field: 'pipelineId' });
      if (settings.statusId && !pipeline.statuses.some((s) => s.id === settings.statusId)) {
        throw badRequest('unknown_status', `"statusId": pipeline ${pipeline.id} has no status ${settings.statusId}.`, { field: 'statusId' });
      }
    }
  }
  return router;
}
