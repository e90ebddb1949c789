/**
 * The admin console's API (/api/console/*), called by the widget's advanced settings page in
 * amoCRM with its disposable token (reference §5): the token's `account_id` is the only account
 * these routes touch, and only a token with `is_admin: true` (amoCRM's own admin flag) changes
 * anything; other users see the state. ADMIN_TOKEN plays no part here. Without amoCRM
 * credentials (npm start's demo) the page runs for one demo account.
 */
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { DisposableTokenVerifier } from '../amo/disposable-token.js';
import type { AccountConsole } from '../admin/account-console.js';
import type { AccountSettingsService } from '../admin/account-settings-service.js';
import { accountSettingsSchema } from '../store/account-settings-repository.js';
import { AppError, notConfigured } from '../errors.js';
import { widgetAuth, widgetCors } from './widget-auth.js';
import { parseInput, webOrigins } from './validation.js';
import { DEMO_ACCOUNT_ID } from '../admin/demo-account.js';
import { perAccountLimit, type AccountLimitDeps } from './account-limits.js';
import { mountDeliveryZoneRoutes } from './delivery-zone-routes.js';
import { mountCleanRoutes } from './clean-routes.js';
import type { CleanConsole } from '../cleaning/clean-console.js';
import type { DownloadLinks } from '../cleaning/download-links.js';
import type { DeliveryZones } from '../delivery/delivery-zones.js';
import type { AddressService } from '../geocoding/address-service.js';


export interface ConsoleRouteDeps extends AccountLimitDeps {
  /** Console changes per account per minute (ACCOUNT_WRITE_LIMIT_PER_MINUTE). */
  writesPerMinute: number;
  /** Zone files per account per minute (ZONE_UPLOADS_PER_MINUTE). */
  zoneUploadsPerMinute: number;
  console: AccountConsole;
  /** Cleaning the account's existing addresses; null without amoCRM (the demo). */
  clean: CleanConsole | null;
  cleanLinks: DownloadLinks | null;
  accountSettings: AccountSettingsService | null;
  verifier: DisposableTokenVerifier | null;
  publicUrl: string;
  zones: DeliveryZones;
  addresses: AddressService;
  /** MAP_TILES_URL and its attribution (the console's map of the zones). */
  map?: { tilesUrl: string; attribution: string | null } | null;
}

function caller(req: Request): { accountId: number; isAdmin: boolean } {
  if (req.caller) return req.caller;
  // Anonymous calls pass widgetAuth only without amoCRM credentials: the demo.
  return { accountId: DEMO_ACCOUNT_ID, isAdmin: true };
}

const adminOnly: RequestHandler = (req, _res, next) => {
  if (!caller(req).isAdmin) throw new AppError('admin_required', 'Only an amoCRM admin of this account can change this; ask one.');
  next();
};

function positiveId(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new AppError('invalid_parameter', '"id" must be a positive number.', { field: 'id' });
  return n;
}

export function consoleRoutes(deps: ConsoleRouteDeps): Router {
  const router = Router();
  const cors = widgetCors(deps.publicUrl);
  router.options('/api/console/*path', cors);
  // A token is required whenever amoCRM credentials are set, whatever AMOCRM_AUTH_REQUIRED says:
  // the console shows one account's keys and writes.
  router.use('/api/console', cors, widgetAuth(deps.verifier, deps.verifier !== null, { requireConnected: false }));
  // Every change is limited per account: a script in one account's amoCRM page cannot queue
  // hundreds of jobs or keys. Reading the state is not.
  const changes = perAccountLimit(deps, { name: 'console', perMinute: deps.writesPerMinute, account: (req) => caller(req).accountId, message: 'Too many changes from this account’s console; wait a minute.' });
  router.use('/api/console', (req, res, next) => (req.method === 'GET' || req.method === 'OPTIONS' ? next() : changes(req, res, next)));
  const settings = () => deps.accountSettings ?? (() => { throw notConfigured('This server has no amoCRM credentials (demo mode): the fields come from amoCRM.'); })();

  router.get('/api/console/state', async (req, res) => {
    const { accountId, isAdmin } = caller(req);
    res.json(await deps.console.state(accountId, isAdmin));
  });

  router.get('/api/console/fields', adminOnly, async (req, res) => void res.json(await settings().choices(caller(req).accountId)));
  router.put('/api/console/settings', adminOnly, async (req, res) => {
    if (!req.is('application/json')) throw new AppError('invalid_body', 'Send the settings as JSON (Content-Type: application/json); nothing was changed.');
    res.json({ settings: await settings().save(caller(req).accountId, parseInput(accountSettingsSchema, req.body)) });
  });

  router.post('/api/console/site-keys', adminOnly, async (req, res) => {
    const { name, origins } = parseInput(z.object({ name: z.string().trim().min(1, 'must name the website').max(100), origins: webOrigins.optional() }).strict(), req.body);
    res.status(201).json(await deps.console.createSiteKey(caller(req).accountId, name, origins));
  });
  router.delete('/api/console/site-keys/:id', adminOnly, async (req, res) => {
    await deps.console.revokeSiteKey(caller(req).accountId, positiveId(req.params.id));
    res.status(204).end();
  });

  router.get('/api/console/writes', adminOnly, async (req, res) => void res.json(await deps.console.parked(caller(req).accountId)));
  router.post('/api/console/writes/retry', adminOnly, async (req, res) => void res.json({ retried: await deps.console.retry(caller(req).accountId, 'all-parked') }));
  router.post('/api/console/writes/:id/retry', adminOnly, async (req, res) => void res.json({ retried: await deps.console.retry(caller(req).accountId, positiveId(req.params.id)) }));

  router.post('/api/console/webhook', adminOnly, async (req, res) => {
    const { subscribed } = parseInput(z.object({ subscribed: z.boolean() }).strict(), req.body);
    await deps.console.setWebhook(caller(req).accountId, subscribed);
    res.status(202).json({ queued: true });
  });

  router.post('/api/console/address-book/import', adminOnly, async (req, res) => {
    await deps.console.importAddressBook(caller(req).accountId);
    res.status(202).json({ queued: true });
  });
  router.post('/api/console/address-data/update', adminOnly, async (req, res) => {
    deps.console.updateAddressData(caller(req).accountId);
    res.status(202).json({ started: true });
  });
  router.delete('/api/console/address-book', adminOnly, async (req, res) => void res.json({ removed: await deps.console.clearAddressBook(caller(req).accountId) }));

  mountDeliveryZoneRoutes(router, {
    zones: deps.zones,
    addresses: deps.addresses,
    caller,
    adminOnly,
    // Without amoCRM (the demo) there are no lead fields to check against.
    map: deps.map ?? null,
    mayStore: (accountId) => deps.console.mayStore(accountId),
    uploads: { hitCounters: deps.hitCounters, now: deps.now, perMinute: deps.zoneUploadsPerMinute },
    optionGaps: (accountId, names) => (deps.accountSettings ? deps.accountSettings.zoneOptionGaps(accountId, names) : Promise.resolve([])),
  });
  mountCleanRoutes(router, { clean: deps.clean, links: deps.cleanLinks, caller, adminOnly, mayStore: (accountId) => deps.console.mayStore(accountId) });
  return router;
}
