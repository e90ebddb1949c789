/**
 * The composition root: builds every part of the backend from the config, once, in dependency
 * order (store → amoCRM gateway and geocoder → outbox and use-cases). main.ts and the tests both
 * call it, so tests run the production wiring (no module mocking). Nothing starts here: timers
 * and the outbox worker start in `start()` and stop in `stop()`.
 */
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { openDatabase, type Db } from './store/database.js';
import { openStore } from './store/open-store.js';
import { devTokenKey } from './store/dev-token-key.js';
import { TokenCipher } from './store/token-crypto.js';
import { AccountsRepository } from './store/accounts-repository.js';
import { AccountDataRepository } from './store/account-data-repository.js';
import { AccountSettingsRepository } from './store/account-settings-repository.js';
import { AddressBookRepository } from './store/address-book-repository.js';
import { IntakeLeadsRepository } from './store/intake-leads-repository.js';
import { OutboxRepository } from './store/outbox-repository.js';
import { SiteKeysRepository } from './store/site-keys-repository.js';
import { WebhookEventsRepository } from './store/webhook-events-repository.js';
import { WritebacksRepository } from './store/writebacks-repository.js';
import { HitCountersRepository } from './store/hit-counters-repository.js';
import { AmoHttp } from './amo/amo-http.js';
import { OAuthClient } from './amo/oauth-client.js';
import { OAuthState } from './amo/oauth-state.js';
import { TokenService } from './amo/token-service.js';
import { PerAccountRateLimiter } from './amo/rate-limiter.js';
import { UserRights } from './amo/user-rights.js';
import { SiteKeyIssuer } from './admin/site-key-issuer.js';
import { MobileCard } from './writes/mobile-card.js';
import { DEMO_ACCOUNT_ID } from './admin/demo-account.js';
import { SharedRateLimiter } from './amo/shared-rate-limiter.js';
import { AmoApi } from './amo/api-client.js';
import { AmoCrm } from './amo/crm.js';
import { ConnectAccount } from './amo/connect-account.js';
import { DisconnectAccount } from './amo/disconnect-account.js';
import { DisposableTokenVerifier } from './amo/disposable-token.js';
import { AccountLifecycle } from './accounts/account-lifecycle.js';
import { LocalIndex } from './geocoding/local-index.js';
import { ensureServedIndex } from './address-data/index-build.js';
import { dataStatus } from './address-data/data-operations.js';
import { DataUpdates } from './address-data/scheduled-updates.js';
import { ServedIndex } from './geocoding/served-index.js';
import { AddressBook } from './geocoding/address-book.js';
import { AddressBookImport } from './geocoding/address-book-import.js';
import { AddressService } from './geocoding/address-service.js';
import { createGeocoder } from './geocoding/geocoder-factory.js';
import type { JobHandlers, OutboxJobs } from './outbox/jobs.js';
import { OutboxWorker } from './outbox/outbox-worker.js';
import { FieldMapping } from './outbox/field-mapping.js';
import { intakeHandler } from './outbox/handlers/intake-handler.js';
import { addressWriter, writebackHandler } from './outbox/handlers/writeback-handler.js';
import { webhookHandler } from './outbox/handlers/webhook-handler.js';
import { subscribeHandler } from './outbox/handlers/subscribe-handler.js';
import { importAddressesHandler } from './outbox/handlers/import-addresses-handler.js';
import { BaseCleaner, cleanTurn } from './cleaning/base-cleaner.js';
import { CleanConsole } from './cleaning/clean-console.js';
import { DownloadLinks } from './cleaning/download-links.js';
import { CleanJobsRepository } from './store/clean-jobs-repository.js';
import { IntakeService } from './writes/intake-service.js';
import { WebhookInbox } from './writes/webhook-inbox.js';
import { WebhookUrls } from './intake/webhook-urls.js';
import { WritebackRequests } from './writes/writeback-requests.js';
import { AccountSettingsService } from './admin/account-settings-service.js';
import { WebhookSubscriptions } from './admin/webhook-subscriptions.js';
import { ParkedWrites } from './admin/parked-writes.js';
import { AccountConsole } from './admin/account-console.js';
import { DeliveryZonesRepository } from './store/delivery-zones-repository.js';
import { DeliveryZones } from './delivery/delivery-zones.js';
import { ZoneReader, ZONE_READER_LIMITS } from './delivery/zone-reader.js';
import { WebhookParser } from './intake/webhook-parser.js';
import { amoResult, Metrics } from './metrics.js';
import { readiness } from './readiness.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

export type System = Awaited<ReturnType<typeof compose>>;

export async function compose(config: Config, log: Logger, options: { clock?: Clock; db?: Db; defaultMetrics?: boolean } = {}) {
  const clock = options.clock ?? systemClock;
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
  // The SQLite file always holds the address index; with DATABASE_URL the rest is in PostgreSQL.
  const db = options.db ?? openDatabase(config.databasePath, { synchronous: config.sqliteSynchronous });
  const store = await openStore({ ...config, lockHolders: config.outbox.concurrency }, db);
  const { sql } = store;

  // Store
  const key = config.tokenKey ?? (config.env === 'development' && config.amo ? devTokenKey(config.databasePath, log) : null);
  if (config.amo && !key) log.warn('TOKEN_ENCRYPTION_KEY is not set: accounts cannot be connected until it is (openssl rand -hex 32)');
  const accounts = new AccountsRepository(sql, key ? new TokenCipher(key) : null);
  const keyProblem = await accounts.checkKey();
  if (keyProblem) throw new ConfigError([keyProblem]);
  const outbox = new OutboxRepository<OutboxJobs>(sql);
  const settings = new AccountSettingsRepository(sql);
  const writebacks = new WritebacksRepository(sql);
  const siteKeys = new SiteKeysRepository(sql);
  const siteKeyIssuer = new SiteKeyIssuer({ siteKeys, accounts, clock, maxPerAccount: config.siteKeysPerAccount, demo: config.amo === null });
  const webhookEvents = new WebhookEventsRepository(sql);

  // Suggestions
  // The address index is a file of its own, built beside the served one and switched to (address-data/).
  const prepared = ensureServedIndex(config.indexDir, db);
  if (prepared.built) log.info({ places: prepared.places, dir: config.indexDir }, 'address index built (gazetteer and earlier imports)');
  const servedIndex = new ServedIndex(config.indexDir);
  const local = new LocalIndex(servedIndex);
  const addressBookRows = new AddressBookRepository(sql);
  const book = new AddressBook(addressBookRows, store.changes);
  const addresses = new AddressService(createGeocoder(config.geocoder, local, clock, log), book, clock, config.cache, (lat, lon, radius, count) => local.nearest(lat, lon, radius, count));
  // Delivery zones: each account's, compiled in memory per stored version.
  // Zone files are read, and stored zones compiled for lookups, in worker threads of their own
  // (delivery/zone-reader.ts): a long upload never holds another account's lookup up.
  const zoneReader = new ZoneReader();
  const zoneCompiler = new ZoneReader({ ...ZONE_READER_LIMITS, workers: 1, queue: 64 });
  const webhookParser = new WebhookParser();
  const zones = new DeliveryZones({ repo: new DeliveryZonesRepository(sql), changes: store.changes, clock, reader: zoneReader, compiler: zoneCompiler });
  servedIndex.onSwitch((file, switchMs) => {
    addresses.forgetCachedAnswers();
    log.info({ file, switchMs: Math.round(switchMs * 10) / 10 }, 'address index switched to a new build');
  });

  // Accounts: the lifecycle is the one writer of an account's state; its wake-up reaches the
  // worker built below.
  let wakeWorker = () => {};
  const wake = () => wakeWorker();
  const webhookUrls = config.amo ? new WebhookUrls(config.amo.clientSecret, config.publicUrl) : null;
  const forgetCached: Array<(accountId: number) => void> = [(accountId) => book.forgotten(accountId)];
  const accountData = new AccountDataRepository(sql);
  const lifecycle = new AccountLifecycle({
    accounts,
    accountData,
    outbox,
    clock,
    log,
    onConnect: { subscribeWebhooks: config.amoApi.subscribeWebhooksOnConnect, importAddresses: config.amo !== null && config.amoApi.importAddressesOnConnect, webhooksAvailable: webhookUrls !== null },
    forgetCached,
    wake,
  });

  // amoCRM: one HTTP layer for OAuth and API v4
  const http = new AmoHttp(log, config.amoTestBaseUrl);
  // One window per account for all instances together when they share PostgreSQL.
  const limiter = store.sendStarts
    ? new SharedRateLimiter(config.amoApi.ratePerSecond, store.sendStarts)
    : new PerAccountRateLimiter(config.amoApi.ratePerSecond, () => clock.now());
  const oauth = config.amo ? new OAuthClient(config.amo, http) : null;
  const oauthState = config.amo ? new OAuthState(config.amo.clientSecret, clock) : null;
  const tokens = new TokenService(accounts, oauth, lifecycle, clock, log, store.locks, (result) => metrics.tokenRefreshes.inc({ result }));
  const amoApi = config.amo
    ? new AmoApi(http, tokens, limiter, lifecycle, clock, log, { baseBackoffMs: config.amoApi.retryBaseMs, onAnswer: (status, kind) => metrics.amoCalls.inc({ result: amoResult(status, kind) }) })
    : null;
  const crm = amoApi ? new AmoCrm(amoApi, clock) : null;
  if (crm) forgetCached.push((accountId) => crm.forget(accountId));
  const connect = new ConnectAccount({ clientId: config.amo?.clientId ?? null, oauth, accounts, state: oauthState, clock, onConnected: (id, reconnected) => lifecycle.connected(id, reconnected) });
  const disconnect = new DisconnectAccount(config.amo, (accountId) => lifecycle.disconnected(accountId));
  const verifier = config.amo ? new DisposableTokenVerifier(config.amo, accounts) : null;
  const importer = amoApi && crm ? new AddressBookImport(amoApi, crm, book, () => clock.now(), log) : null;

  // Writes: the outbox and a handler for each kind of job (none in demo mode)
  const mapping = crm ? new FieldMapping(settings, crm) : null;
  // Cleaning the account's existing addresses: jobs whose phases run as outbox items (cleaning/).
  const cleanJobs = new CleanJobsRepository(sql);
  let handlers: JobHandlers | null = null;
  if (crm && mapping && webhookUrls && importer) {
    const writer = addressWriter({ crm, mapping, writebacks, zones, now: () => clock.now() });
    handlers = {
      intake: intakeHandler({ crm, addresses, mapping, settings, contactLock: store.locks, zones }),
      writeback: writebackHandler(writer),
      webhook: webhookHandler({ crm, addresses, mapping, writebacks, writer }),
      subscribe: subscribeHandler(crm, webhookUrls),
      import_addresses: importAddressesHandler(importer),
      clean: cleanTurn(new BaseCleaner({ jobs: cleanJobs, crm, mapping, writer, writebacks, addresses, zones, now: () => clock.now(), writeBatch: config.clean.writeBatch })),
    };
  }
  const worker = new OutboxWorker(outbox, handlers, config.outbox, clock, log);
  wakeWorker = () => worker.poke();

  const webhookSubscriptions = webhookUrls ? new WebhookSubscriptions({ outbox, accounts, urls: webhookUrls, clock, wake }) : null;
  const parkedWrites = new ParkedWrites({ outbox, clock, wake });

  // Address data: its state for /api/status and the console, and updates (scheduled, or an operator's).
  const dataUpdates = new DataUpdates(config.indexDir, config.data.updateIntervalMs, log);
  const addressData = {
    status: () => {
      const { running, ...rest } = dataStatus(config.indexDir);
      return { ...rest, running: running ? { what: running.what, step: running.step, startedAt: running.startedAt } : null, nextUpdate: dataUpdates.nextAt };
    },
    isOperator: (accountId: number) => config.dataOperators.includes(accountId),
    update: (by: string) => dataUpdates.run(by),
  };

  metrics.watch({
    outbox: async () => ({ counts: await outbox.counts(), oldestPendingAt: await outbox.oldestPendingAt() }),
    data: () => {
      const status = addressData.status();
      let bytes = 0;
      try {
        bytes = status.file ? statSync(join(config.indexDir, status.file)).size : 0;
      } catch {
        // Switched away between the two reads: the next scrape sees the new file.
      }
      return {
        index: { file: status.file, bytes, houses: status.counts.houses, streets: status.counts.streets, settlements: status.counts.settlements },
        update: { running: status.running !== null, lastAt: status.lastUpdate ? Date.parse(status.lastUpdate.at) : null, lastOk: status.lastUpdate?.ok ?? null },
      };
    },
    now: () => clock.now(),
  });

  const timers: Array<ReturnType<typeof setTimeout>> = [];
  /**
   * Forgets finished work: done outbox items after 30 days (a website lead keeps only its amoCRM
   * ids then, for its status answer), webhook event hashes after 7 (amoCRM retries within hours),
   * Yandex-derived address-book entries after the 30 days its terms allow.
   */
  const housekeeping = async (now = clock.now()) => {
    const purged = { items: await outbox.purgeDone(now, 30 * DAY), events: await webhookEvents.purge(now, 7 * DAY), yandex: await book.purgeExpired(now), leadContents: await outbox.forgetSentLeadContents(now, 30 * DAY) };
    if (purged.items || purged.events || purged.yandex || purged.leadContents) log.info(purged, 'finished outbox items, old webhook events, expired provider answers and sent leads’ contents purged');
    // Rows of accounts not connected here (site keys of older releases, items that outlived a
    // disconnect): forgotten as a disconnect forgets them, an hour after they were made.
    const orphans = await accountData.orphans(now - HOUR, config.amo ? [] : [DEMO_ACCOUNT_ID]);
    for (const accountId of orphans) log.info({ accountId, purged: (await lifecycle.forget(accountId)).purged }, 'rows of an account not connected here purged');
    return { ...purged, orphanAccounts: orphans.length };
  };

  return {
    config,
    db,
    store,
    log,
    clock,
    accounts,
    lifecycle,
    tokens,
    oauthState,
    connect,
    disconnect,
    verifier,
    amoApi,
    /** The per-account send window (in-process, or shared in PostgreSQL). */
    limiter,
    crm,
    local,
    servedIndex,
    book,
    addresses,
    zones,
    metrics,
    readiness: readiness({
      probeWrite: () => store.probeWrite(),
      probeIndex: () => {
        servedIndex.current.meta('ready');
        return servedIndex.fileName;
      },
      paths: [config.databasePath, join(config.indexDir, 'CURRENT')],
      minFreeBytes: config.readyMinFreeBytes,
    }),
    importer,
    outbox,
    worker,
    settings,
    writebacks,
    siteKeys,
    siteKeyIssuer,
    /** Request counters all instances share (PostgreSQL), or null. */
    hitCounters: store.kind === 'postgres' ? new HitCountersRepository(sql) : null,
    mapping,
    webhookUrls,
    intake: new IntakeService({ leads: new IntakeLeadsRepository(sql), outbox, clock, wake, maxPending: config.outbox.maxPendingPerAccount }),
    /** Webhook bodies are parsed in a worker thread (intake/webhook-parser.ts). */
    webhookParser,
    webhooks: new WebhookInbox({ events: webhookEvents, outbox, accounts, clock, log, wake, onDelivery: (result) => metrics.webhookDeliveries.inc({ result }) }),
    writebackRequests: mapping && amoApi ? new WritebackRequests({ mapping, rights: new UserRights(amoApi, () => clock.now()), writebacks, outbox, addresses, clock, wake }) : null,
    accountSettings: crm ? new AccountSettingsService({ crm, settings, clock, zones }) : null,
    mobileCard: crm ? new MobileCard({ crm, settings }) : null,
    webhookSubscriptions,
    parkedWrites,
    console: new AccountConsole({ accounts, outbox, siteKeys, siteKeyIssuer, addressBook: addressBookRows, crm, webhookUrls, webhookSubscriptions, parkedWrites, publicUrl: config.publicUrl, maxPending: config.outbox.maxPendingPerAccount, clock, wake, addressData }),
    addressData,
    clean: mapping ? new CleanConsole({ jobs: cleanJobs, accounts, outbox, mapping, now: () => clock.now(), wake }) : null,
    /** Signed links the browser downloads a clean job's files with. */
    cleanLinks: config.amo ? new DownloadLinks(config.amo.clientSecret, config.publicUrl, () => clock.now()) : null,
    housekeeping,

    /** Background work of a running server: the outbox worker, the refresh of idle accounts, housekeeping. */
    start(): void {
      worker.start();
      servedIndex.watch(1000);
      dataUpdates.start();
      if (timers.length) return;
      timers.push(setInterval(() => void housekeeping().catch((error) => log.warn({ error: (error as Error).message }, 'housekeeping failed')), 6 * HOUR));
      if (config.amo) {
        // A refresh token unused for 3 months stops working (reference §8): keep idle ones fresh.
        const refresh = () => void tokens.refreshIdle(config.amoApi.idleRefreshMs).catch(() => {});
        timers.push(setInterval(refresh, 6 * HOUR), setTimeout(refresh, 60_000));
      }
      timers.forEach((t) => t.unref());
    },

    /** Stops the background work (waiting for items being sent) and closes the database. */
    async stop(): Promise<void> {
      timers.splice(0).forEach((t) => clearTimeout(t));
      dataUpdates.stop();
      await worker.stop();
      await zoneReader.close();
      await zoneCompiler.close();
      await webhookParser.close();
      await store.close();
      servedIndex.close();
      db.close();
    },
  };
}
