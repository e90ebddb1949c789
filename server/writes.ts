/**
 * The write side: the outbox and its worker, the handlers for each kind of write, website intake
 * and the webhook inbox. Built from the shared services, like the suggestion side.
 */
import type { Services } from './services.js';
import type { AddressService } from './geocoding/address-service.js';
import type { AddressBookImport } from './geocoding/address-book-import.js';
import { OutboxRepository } from './outbox/outbox-repository.js';
import { OutboxWorker, type OutboxHandler } from './outbox/outbox-worker.js';
import { FieldMapping } from './outbox/field-mapping.js';
import { KeyedLock } from './outbox/keyed-lock.js';
import { intakeHandler } from './outbox/handlers/intake-handler.js';
import { addressWriter, writebackHandler } from './outbox/handlers/writeback-handler.js';
import { webhookHandler } from './outbox/handlers/webhook-handler.js';
import { subscribeHandler } from './outbox/handlers/subscribe-handler.js';
import { AccountSettingsRepository } from './store/account-settings-repository.js';
import { WritebacksRepository } from './store/writebacks-repository.js';
import { SiteKeysRepository } from './intake/site-keys-repository.js';
import { IntakeService } from './intake/intake-service.js';
import { WebhookInbox } from './intake/webhook-inbox.js';
import { WebhookUrls } from './intake/webhook-urls.js';

export type WriteDeps = ReturnType<typeof buildWriteDeps>;

const DAY = 24 * 3600 * 1000;

export function buildWriteDeps(services: Services, addresses: AddressService, importer: AddressBookImport | null = null) {
  const { db, config, clock, log } = services;
  const now = () => clock.now();
  const outbox = new OutboxRepository(db);
  const settings = new AccountSettingsRepository(db);
  const writebacks = new WritebacksRepository(db);
  const { crm } = services;
  const handlers: Record<string, OutboxHandler> = {};
  const webhookUrls = config.amo ? new WebhookUrls(config.amo.clientSecret, config.publicUrl) : null;
  const mapping = crm ? new FieldMapping(settings, crm) : null;
  if (crm && mapping && webhookUrls) {
    const writer = addressWriter({ crm, mapping, writebacks, now });
    handlers.intake = intakeHandler({ crm, addresses, mapping, settings, contactLock: new KeyedLock() }) as OutboxHandler;
    handlers.writeback = writebackHandler(writer) as OutboxHandler;
    handlers.webhook = webhookHandler({ crm, addresses, mapping, writebacks, writer }) as OutboxHandler;
    handlers.subscribe = subscribeHandler(crm, webhookUrls) as OutboxHandler;
  }
  if (importer) handlers.import_addresses = (async (item: { accountId: number }) => void (await importer.run(item.accountId))) as OutboxHandler;
  const worker = new OutboxWorker(outbox, handlers, config.outbox, clock, log);
  const poke = () => worker.poke();
  if (webhookUrls) {
    // Subscribe on connect when asked; otherwise, on a reconnect, move an older destination of
    // ours (the URL once shared by all accounts) to the account's own URL.
    services.onAccountConnected.push((accountId, reconnected) => {
      if (config.amoApi.subscribeWebhooksOnConnect) outbox.enqueue(accountId, 'subscribe', { mode: 'subscribe' }, now());
      else if (reconnected) outbox.enqueue(accountId, 'subscribe', { mode: 'move' }, now());
    });
  }
  if (importer && config.amoApi.importAddressesOnConnect) {
    // The account's existing addresses seed its address book (read in pages, within the rate).
    services.onAccountConnected.push((accountId) => void outbox.enqueue(accountId, 'import_addresses', {}, now()));
  }
  // A (re)connected account's waiting (and just queued) items can go now.
  services.onAccountConnected.push(() => poke());

  const timers: Array<ReturnType<typeof setTimeout>> = [];
  return {
    outbox,
    worker,
    /** Background work of a running server: the outbox worker, the refresh of idle accounts, the purge of finished work. */
    start() {
      worker.start();
      if (config.amo && !timers.length) {
        const refresh = () => void services.tokens.refreshIdle(config.amoApi.idleRefreshMs).catch(() => {});
        const purge = () => {
          const purged = outbox.purge(now(), 30 * DAY, 7 * DAY);
          if (purged.items || purged.events) log.info(purged, 'finished outbox items and old webhook events purged');
        };
        timers.push(setInterval(refresh, 6 * 3600 * 1000), setTimeout(refresh, 60_000), setInterval(purge, 6 * 3600 * 1000));
        timers.forEach((t) => t.unref());
      }
    },
    async stop() {
      timers.splice(0).forEach((t) => clearTimeout(t));
      await worker.stop();
    },
    crm,
    mapping,
    settings,
    writebacks,
    siteKeys: new SiteKeysRepository(db),
    intake: new IntakeService(db, outbox, poke),
    webhooks: new WebhookInbox(db, outbox, services.accounts, log, poke),
    webhookUrls,
    accounts: services.accounts,
    poke,
  };
}
