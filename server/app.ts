/**
 * createApp(services) -> the Express app. No I/O at import; everything it needs is passed in.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { fileURLToPath } from 'node:url';
import type { Services } from './services.js';
import { requestLog } from './http/request-log.js';
import { authRoutes } from './http/auth-routes.js';
import { disconnectRoutes } from './http/disconnect-routes.js';
import { metaRoutes } from './http/meta-routes.js';
import { errorMiddleware, notFound } from './http/error-middleware.js';
import { staticRoutes } from './http/static-routes.js';
import { addressRoutes, type AddressRouteDeps } from './http/address-routes.js';
import type { WriteDeps } from './writes.js';
import type { AddressService } from './geocoding/address-service.js';
import { webhookRoutes } from './http/webhook-routes.js';
import { intakeRoutes } from './http/intake-routes.js';
import { writebackRoutes } from './http/writeback-routes.js';
import { adminRoutes } from './http/admin-routes.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

export interface AppDeps extends Services {
  address?: AddressRouteDeps & { service: AddressService };
  writes?: WriteDeps;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(requestLog(deps.log));
  app.use(
    helmet({
      // amoCRM loads nothing from us in frames; the callback page is shown top-level or in amoCRM's popup.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // Webhooks parse their own (large, bracket-keyed) form bodies: before the general parsers.
  if (deps.writes) app.use(webhookRoutes(deps.writes, deps.clock));
  app.use(express.json({ limit: '32kb' }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  app.use(metaRoutes({
    db: deps.db,
    accounts: deps.accounts,
    amoApi: deps.amoApi,
    adminToken: deps.config.adminToken,
    mode: { demo: deps.config.amo === null, geocoder: deps.config.geocoder.provider },
    outboxCounts: deps.writes ? () => deps.writes!.outbox.counts() : undefined,
  }));
  app.use(authRoutes({ connect: deps.connect, state: deps.oauthState, amo: deps.config.amo }));
  app.use(disconnectRoutes(deps.disconnect));
  if (deps.address) app.use(addressRoutes(deps.address));
  if (deps.writes) {
    app.use(intakeRoutes(deps.writes, deps.clock, deps.config.intakeRateLimitPerMinute));
    app.use(adminRoutes(deps.writes, deps.clock, deps.config.adminToken));
    if (deps.address) app.use(writebackRoutes({ writes: deps.writes, addresses: deps.address.service, verifier: deps.address.verifier, clock: deps.clock, publicUrl: deps.config.publicUrl }));
  }
  app.use(staticRoutes({ publicDir: PUBLIC_DIR, distDir: DIST_DIR }));

  app.use(notFound);
  app.use(errorMiddleware);
  return app;
}
