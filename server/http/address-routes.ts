import { Router, type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AddressService } from '../geocoding/address-service.js';
import type { DisposableTokenVerifier } from '../amo/disposable-token.js';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { AddressBookImport } from '../geocoding/address-book-import.js';
import { AppError } from '../errors.js';
import { widgetAuth, widgetCors } from './widget-auth.js';
import { requireAdmin } from './admin-auth.js';
import { addressPart, parseInput } from './validation.js';
import type { SuggestResponse, WidgetStatus } from '../../contract/api.js';
import type { DeliveryZones } from '../delivery/delivery-zones.js';
import { DEMO_ACCOUNT_ID } from '../admin/demo-account.js';
import type { Metrics } from '../metrics.js';

export interface AddressRouteDeps {
  service: AddressService;
  verifier: DisposableTokenVerifier | null;
  authRequired: boolean;
  publicUrl: string;
  rateLimitPerMinute: number;
  accounts: AccountsRepository;
  adminToken: string | null;
  importer: AddressBookImport | null;
  zones: DeliveryZones;
  metrics: Metrics;
}

const text = (max: number) =>
  z
    .string({ error: 'must be given once, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters');

const common = {
  city: text(100).optional(),
  region: text(100).optional(),
  language: z.enum(['ru', 'en'], { error: 'must be "ru" or "en"' }).default('ru'),
};
// The raw q keeps a trailing space (it asks for the next level); only its length is trimmed-checked.
const query = z
  .string({ error: 'is required' })
  .refine((v) => v.trim().length >= 1, 'must not be empty')
  // A map link pasted for its point may be long (Google's carry their whole view): up to 2,000.
  .refine((v) => v.trim().length <= (/^\s*https?:\/\//i.test(v) ? 2000 : 300), 'must be at most 300 characters (a map link: 2,000)')
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters')
  .transform((v) => v.replace(/^\s+/, '').replace(/\s+$/, (s) => (s ? ' ' : '')));
const suggestSchema = z.object({
  q: query,
  count: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 20').max(20, 'must be 1 to 20').default(7),
  ...common,
});
const resolveSchema = z.object({ q: query, ...common });
const rememberSchema = z.object({
  value: text(300),
  source: z.string().max(30).optional(),
  data: z.record(z.string(), addressPart).optional(),
});

export function addressRoutes(deps: AddressRouteDeps): Router {
  const router = Router();
  const auth = widgetAuth(deps.verifier, deps.authRequired);
  const limiter: RequestHandler = rateLimit({
    windowMs: 60_000,
    limit: deps.rateLimitPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Per account for widget calls (one busy account cannot starve another); per IP when anonymous.
    keyGenerator: (req) => (req.caller ? `account:${req.caller.accountId}` : `ip:${ipKeyGenerator(req.ip ?? '')}`),
    handler: (_req, _res, next, options) => {
      const retryAfterSeconds = Math.ceil(options.windowMs / 1000);
      next(new AppError('rate_limited', 'Too many suggestion requests; wait a moment.', { retryAfterSeconds }));
    },
  });

  router.use(['/api/address', '/api/widget'], widgetCors(deps.publicUrl));

  // Whose delivery zones an answer carries: the caller's account; without amoCRM credentials (the
  // demo) the demo account's. Zones are added after the answer cache: a new file shows at once.
  const zoneAccount = (req: Request) => req.caller?.accountId ?? (deps.verifier === null ? DEMO_ACCOUNT_ID : null);

  router.get('/api/address/suggest', auth, limiter, async (req, res) => {
    const { q, ...options } = parseInput(suggestSchema, req.query);
    const answer = await deps.service.suggest(req.caller?.accountId ?? null, q, options);
    deps.metrics.suggestions.inc({ cache: answer.cached ? 'hit' : 'miss' });
    const account = zoneAccount(req);
    const suggestions = account === null ? answer.suggestions : await deps.zones.annotate(account, answer.suggestions);
    res.setHeader('Cache-Control', 'no-store');
    res.json((answer.note ? { suggestions, note: answer.note } : { suggestions }) satisfies SuggestResponse);
  });

  router.get('/api/address/resolve', auth, limiter, async (req, res) => {
    const { q, ...options } = parseInput(resolveSchema, req.query);
    const found = await deps.service.resolve(req.caller?.accountId ?? null, q, options);
    if (!found) throw new AppError('address_not_found', `No address matches "${q.trim()}".`);
    const account = zoneAccount(req);
    const [suggestion] = account === null ? [found] : await deps.zones.annotate(account, [found]);
    res.json({ suggestion });
  });

  // The widget reports a chosen address: it joins the account's own book, ranked first next time.
  router.post('/api/address/remember', auth, limiter, async (req, res) => {
    const body = parseInput(rememberSchema, req.body);
    if (req.caller) await deps.service.remember(req.caller.accountId, { value: body.value, data: body.data ?? {}, source: body.source });
    res.status(204).end();
  });

  // The settings page asks whether its account is connected; no connected account is needed for that.
  router.get('/api/widget/status', widgetAuth(deps.verifier, deps.authRequired, { requireConnected: false }), async (req, res) => {
    if (!req.caller) return void res.json({ mode: 'demo', connected: false, authRequired: deps.authRequired } satisfies WidgetStatus);
    const status = await deps.accounts.status(req.caller.accountId);
    res.json({ mode: 'amocrm', accountId: req.caller.accountId, connected: status === 'connected', status: status ?? 'not_connected' } satisfies WidgetStatus);
  });

  router.post('/api/admin/accounts/:accountId/import-addresses', requireAdmin(deps.adminToken), async (req, res) => {
    const accountId = Number(req.params.accountId);
    if (!Number.isSafeInteger(accountId) || accountId <= 0) throw new AppError('invalid_parameter', '"accountId" must be a positive number.', { field: 'accountId' });
    if (!deps.importer) throw new AppError('not_configured', 'Set the amoCRM credentials to import addresses.');
    const fieldIds = Array.isArray(req.body?.fieldIds) ? req.body.fieldIds.filter((n: unknown) => Number.isSafeInteger(n)) : undefined;
    res.json({ imported: await deps.importer.run(accountId, fieldIds) });
  });

  return router;
}
