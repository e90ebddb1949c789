import { Router } from 'express';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { AmoApi } from '../amo/api-client.js';
import type { Store } from '../store/open-store.js';
import { requireAdmin } from './admin-auth.js';
import { AppError } from '../errors.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../store/storage-guard.js';
import type { AddressDataStatus } from '../../contract/api.js';
import type { Readiness } from '../readiness.js';

export function metaRoutes(deps: {
  health: Store['health'];
  accounts: AccountsRepository;
  amoApi: AmoApi | null;
  adminToken: string | null;
  mode: { demo: boolean; geocoder: string };
  outboxCounts?: () => Promise<Record<string, number>>;
  addressData?: { status(): AddressDataStatus; update(by: string): { started: boolean; reason?: string } };
  readiness?: () => Promise<Readiness>;
}): Router {
  const router = Router();

  // Ready for traffic (a load balancer's check): the store writes, the index answers, the disks
  // have room. 503 with the reasons otherwise; /healthz below stays the cheap liveness check.
  router.get('/readyz', async (_req, res) => {
    if (!deps.readiness) return void res.json({ status: 'ready' });
    const { ready, checks } = await deps.readiness();
    res.setHeader('Cache-Control', 'no-store');
    if (ready) return void res.json({ status: 'ready', checks });
    res.status(503).json({ status: 'not_ready', reasons: Object.values(checks).filter((c) => !c.ok).map((c) => c.detail), checks });
  });

  // Degraded (503) while the store cannot write: leads and write-backs are refused with 503 too,
  // suggestions still answer. The reason says what to fix.
  router.get('/healthz', async (_req, res) => {
    const { storage, ...database } = await deps.health();
    if (!database.ok) throw new AppError('database_unavailable', 'The database cannot be read.');
    if (storage) {
      res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
      return void res.status(503).json({ status: 'degraded', reason: `The server cannot store anything: ${storage.reason}, since ${storage.since}.`, database: { ...database, writable: false }, ...deps.mode });
    }
    res.json({ status: 'ok', database: { ...database, writable: true }, ...deps.mode });
  });

  // Connected accounts and their state. `?verify=true` also asks amoCRM (refreshing when due).
  router.get('/api/status', requireAdmin(deps.adminToken), async (req, res) => {
    const verify = req.query.verify === 'true' || req.query.verify === '1';
    const accounts = await Promise.all(
      (await deps.accounts.list()).map(async (account) => {
        const summary = {
          accountId: account.accountId,
          subdomain: account.subdomain,
          baseDomain: account.baseDomain,
          status: account.status,
          lastError: account.lastError,
          accessTokenExpiresAt: new Date(account.expiresAt).toISOString(),
          connectedAt: new Date(account.connectedAt).toISOString(),
        };
        if (!verify || !deps.amoApi || account.status !== 'connected') return summary;
        try {
          await deps.amoApi.getAccount(account.accountId);
          return { ...summary, reachable: true };
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'amocrm_error';
          return { ...summary, status: (await deps.accounts.status(account.accountId)) ?? summary.status, reachable: false, error: code };
        }
      }),
    );
    res.json({ ...deps.mode, accounts, ...(deps.outboxCounts ? { outbox: await deps.outboxCounts() } : {}), ...(deps.addressData ? { addressData: deps.addressData.status() } : {}) });
  });

  // What the address index covers: public (no personal data), for the demo page and monitoring.
  router.get('/api/address/coverage', (_req, res) => {
    if (!deps.addressData) return void res.json({ regions: [], sources: { openStreetMap: [], registry: null } });
    const { regions, sources, counts } = deps.addressData.status();
    res.json({ regions, sources, counts });
  });

  // An operator's update of the address data (the same as `npm run data -- update`, as its own process).
  router.post('/api/admin/address-data/update', requireAdmin(deps.adminToken), (_req, res) => {
    const run = deps.addressData?.update('admin API');
    if (!run?.started) throw new AppError('data_update_not_started', `No update was started: ${run?.reason ?? 'address data is not managed here'}.`);
    res.status(202).json({ started: true });
  });

  return router;
}
