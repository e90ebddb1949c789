import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { SiteKeyIssuer } from '../admin/site-key-issuer.js';
import type { SiteKeysRepository } from '../store/site-keys-repository.js';
import { accountSettingsSchema } from '../store/account-settings-repository.js';
import type { ParkedWrites } from '../admin/parked-writes.js';
import type { AccountSettingsService } from '../admin/account-settings-service.js';
import type { WebhookSubscriptions } from '../admin/webhook-subscriptions.js';
import { AppError, notConfigured } from '../errors.js';
import { requireAdmin } from './admin-auth.js';
import { parseInput, webOrigins } from './validation.js';
import { perAccountLimit, type AccountLimitDeps } from './account-limits.js';

function positiveId(value: unknown, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new AppError('invalid_parameter', `"${field}" must be a positive number.`, { field });
  return n;
}

function configured<T>(part: T | null): T {
  if (!part) throw notConfigured('Set the amoCRM credentials first.');
  return part;
}

export interface AdminRouteDeps extends AccountLimitDeps {
  adminToken: string | null;
  siteKeys: SiteKeysRepository;
  siteKeyIssuer: SiteKeyIssuer;
  writesPerMinute: number;
  parkedWrites: ParkedWrites;
  accountSettings: AccountSettingsService | null;
  webhookSubscriptions: WebhookSubscriptions | null;
  clock: Clock;
}

/** Admin (ADMIN_TOKEN): site keys, the outbox (parked items and retry), field mapping, webhook subscription. */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  router.use('/api/admin', requireAdmin(deps.adminToken));

  // Per account even for the operator: a loop in a provisioning script stops at the limit.
  const keyLimit = perAccountLimit(deps, { name: 'site-keys', perMinute: deps.writesPerMinute, account: (req) => (Number.isSafeInteger(req.body?.accountId) ? Number(req.body.accountId) : null), message: 'Too many site keys asked for this account; wait a minute.' });
  router.post('/api/admin/site-keys', keyLimit, async (req, res) => {
    const body = parseInput(z.object({ accountId: z.number().int().positive(), name: z.string().trim().min(1).max(100), origins: webOrigins.optional() }).strict(), req.body);
    const { siteKey, key } = await deps.siteKeyIssuer.create(body.accountId, body.name, body.origins);
    res.status(201).json({ ...siteKey, key, note: 'Shown once: store it in the website’s configuration.' });
  });
  router.get('/api/admin/site-keys', async (_req, res) => void res.json({ siteKeys: await deps.siteKeys.list() }));
  router.delete('/api/admin/site-keys/:id', async (req, res) => {
    if (!(await deps.siteKeys.revoke(positiveId(req.params.id, 'id'), deps.clock.now()))) throw new AppError('not_found', 'No active site key with this id.');
    res.status(204).end();
  });

  router.get('/api/admin/outbox', async (req, res) => {
    const status = z.enum(['pending', 'done', 'parked']).catch('parked').parse(req.query.status);
    res.json(await deps.parkedWrites.list(status));
  });
  router.post('/api/admin/outbox/retry-parked', async (_req, res) => void res.json({ retried: await deps.parkedWrites.retry('all-parked') }));
  router.post('/api/admin/outbox/:id/retry', async (req, res) => {
    const retried = await deps.parkedWrites.retry(positiveId(req.params.id, 'id'));
    if (!retried) throw new AppError('not_found', 'No parked item with this id.');
    res.json({ retried });
  });

  // What the admin chooses from: the account's custom fields and pipelines, as amoCRM lists them.
  router.get('/api/admin/accounts/:id/fields', async (req, res) => {
    res.json(await configured(deps.accountSettings).choices(positiveId(req.params.id, 'id')));
  });

  router.put('/api/admin/accounts/:id/settings', async (req, res) => {
    const accountId = positiveId(req.params.id, 'id');
    if (!req.is('application/json')) throw new AppError('invalid_body', 'Send the settings as JSON (Content-Type: application/json); nothing was changed.');
    const settings = parseInput(accountSettingsSchema, req.body);
    res.json({ settings: await configured(deps.accountSettings).save(accountId, settings) });
  });

  router.post('/api/admin/accounts/:id/webhook', async (req, res) => {
    const accountId = positiveId(req.params.id, 'id');
    res.status(202).json({ ...(await configured(deps.webhookSubscriptions).subscribe(accountId)), status: 'queued' });
  });

  // One command for every connected account: our older webhook destinations move to each account's own URL.
  router.post('/api/admin/webhooks/move', async (_req, res) => {
    res.status(202).json({ queued: await configured(deps.webhookSubscriptions).moveAll() });
  });
  return router;
}
