import { Router } from 'express';
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { AmoApi } from '../amo/api-client.js';
import { canRead, schemaVersion, type Db } from '../store/database.js';
import { requireAdmin } from './admin-auth.js';
import { AppError } from '../errors.js';

export function metaRoutes(deps: {
  db: Db;
  accounts: AccountsRepository;
  amoApi: AmoApi | null;
  adminToken: string | null;
  mode: { demo: boolean; geocoder: string };
  outboxCounts?: () => Record<string, number>;
}): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    if (!canRead(deps.db)) throw new AppError('database_unavailable', 'The database cannot be read.');
    res.json({ status: 'ok', database: { ok: true, schemaVersion: schemaVersion(deps.db) }, ...deps.mode });
  });

  // Connected accounts and their state. `?verify=true` also asks amoCRM (refreshing when due).
  router.get('/api/status', requireAdmin(deps.adminToken), async (req, res) => {
    const verify = req.query.verify === 'true' || req.query.verify === '1';
    const accounts = await Promise.all(
      deps.accounts.list().map(async (account) => {
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
          return { ...summary, status: deps.accounts.status(account.accountId) ?? summary.status, reachable: false, error: code };
        }
      }),
    );
    res.json({ ...deps.mode, accounts, ...(deps.outboxCounts ? { outbox: deps.outboxCounts() } : {}) });
  });

  return router;
}
