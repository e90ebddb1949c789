/**
 * createApp(system) -> the Express app: middleware, then each route module with the parts of the
 * system it needs. No I/O at import; the system is built by compose.ts.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { DIST_DIR, PUBLIC_DIR } from './paths.js';
import type { System } from './compose.js';
import { requestLog } from './http/request-log.js';
import { authRoutes } from './http/auth-routes.js';
import { disconnectRoutes } from './http/disconnect-routes.js';
import { metaRoutes } from './http/meta-routes.js';
import { errorMiddleware, notFound } from './http/error-middleware.js';
import { staticRoutes } from './http/static-routes.js';
import { addressRoutes } from './http/address-routes.js';
import { webhookRoutes } from './http/webhook-routes.js';
import { intakeRoutes } from './http/intake-routes.js';
import { dadataRoutes } from './http/dadata-routes.js';
import { writebackRoutes } from './http/writeback-routes.js';
import { adminRoutes } from './http/admin-routes.js';
import { consoleRoutes } from './http/console-routes.js';
import { mobileRoutes } from './http/mobile-routes.js';
import { ZONES_PATH } from './http/delivery-zone-routes.js';
import { httpMetrics, metricsRoutes } from './http/metrics-routes.js';


export function createApp(system: System): Express {
  const { config } = system;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(requestLog(system.log, { queries: config.logQueries }));
  app.use(httpMetrics(system.metrics));
  app.use(
    helmet({
      // amoCRM loads nothing from us in frames; the callback page is shown top-level or in amoCRM's popup.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // The demo console's map may show the configured tile provider's images (MAP_TILES_URL).
      contentSecurityPolicy: { directives: { imgSrc: ["'self'", 'data:', ...(config.map ? [new URL(config.map.tilesUrl.replace(/\{[a-z]\}/gu, '0')).origin] : [])] } },
    }),
  );
  // Webhooks parse their own (large, bracket-keyed) form bodies: before the general parsers.
  app.use(webhookRoutes({ urls: system.webhookUrls, inbox: system.webhooks, parser: system.webhookParser, perMinute: config.webhookRateLimitPerMinute, hitCounters: system.hitCounters, now: () => system.clock.now() }));
  // DaData's API answers its own errors (a body that is not JSON too) in DaData's shape: before the general parsers.
  app.use(dadataRoutes({ service: system.addresses, lookups: system.local, siteKeys: system.siteKeys, limitPerMinute: config.rateLimitPerMinute, now: () => system.clock.now(), hitCounters: system.hitCounters }));
  // A zone file may be sent as application/json: its route reads it (up to its own limit, after
  // the admin check), so the general 32 KB parser leaves that one request alone.
  app.use(express.json({ limit: '32kb', type: (req) => /^application\/json\b/iu.test(String(req.headers['content-type'] ?? '')) && !(req.method === 'PUT' && req.url?.split('?')[0] === ZONES_PATH) }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  app.use(metaRoutes({
    health: system.store.health,
    accounts: system.accounts,
    amoApi: system.amoApi,
    adminToken: config.adminToken,
    mode: { demo: config.amo === null, geocoder: config.geocoder.provider },
    outboxCounts: () => system.outbox.counts(),
    addressData: system.addressData,
    readiness: system.readiness,
  }));
  app.use(metricsRoutes({ metrics: system.metrics, adminToken: config.adminToken }));
  app.use(authRoutes({ connect: system.connect, state: system.oauthState, amo: config.amo }));
  app.use(disconnectRoutes(system.disconnect));
  app.use(addressRoutes({
    service: system.addresses,
    verifier: system.verifier,
    authRequired: config.authRequired,
    publicUrl: config.publicUrl,
    rateLimitPerMinute: config.rateLimitPerMinute,
    accounts: system.accounts,
    adminToken: config.adminToken,
    importer: system.importer,
    zones: system.zones,
    metrics: system.metrics,
  }));
  app.use(intakeRoutes({ siteKeys: system.siteKeys, intake: system.intake, limitPerMinute: config.intakeRateLimitPerMinute, now: () => system.clock.now(), hitCounters: system.hitCounters }));
  app.use(adminRoutes({
    adminToken: config.adminToken,
    siteKeys: system.siteKeys,
    siteKeyIssuer: system.siteKeyIssuer,
    writesPerMinute: config.accountWriteLimitPerMinute,
    hitCounters: system.hitCounters,
    now: () => system.clock.now(),
    parkedWrites: system.parkedWrites,
    accountSettings: system.accountSettings,
    webhookSubscriptions: system.webhookSubscriptions,
    clock: system.clock,
  }));
  app.use(consoleRoutes({ console: system.console, clean: system.clean, cleanLinks: system.cleanLinks, accountSettings: system.accountSettings, verifier: system.verifier, publicUrl: config.publicUrl, writesPerMinute: config.accountWriteLimitPerMinute, zoneUploadsPerMinute: config.zoneUploadsPerMinute, hitCounters: system.hitCounters, now: () => system.clock.now(), zones: system.zones, addresses: system.addresses, map: config.map }));
  app.use(writebackRoutes({ requests: system.writebackRequests, verifier: system.verifier, publicUrl: config.publicUrl, perMinute: config.accountWriteLimitPerMinute, hitCounters: system.hitCounters, now: () => system.clock.now() }));
  app.use(mobileRoutes({ card: system.mobileCard, verifier: system.verifier, publicDir: PUBLIC_DIR, distDir: DIST_DIR }));
  app.use(staticRoutes({ publicDir: PUBLIC_DIR, distDir: DIST_DIR }));

  app.use(notFound);
  app.use(errorMiddleware);
  return app;
}

/** /metrics alone, without a token: main.ts serves it on METRICS_PORT, bound to 127.0.0.1. */
export function createMetricsApp(system: System): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoutes({ metrics: system.metrics, adminToken: null, open: true }));
  return app;
}
