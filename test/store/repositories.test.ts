/**
 * One set of repositories, two stores: every behaviour here runs on the SQLite file and on a real
 * PostgreSQL server (the throwaway cluster of test/global-setup.ts), so a use-case cannot tell
 * which one it is on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { openDatabase } from '../../server/store/database.js';
import { SqliteSql, type Sql } from '../../server/store/sql.js';
import { PostgresSql } from '../../server/store/postgres/postgres-sql.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import { TokenCipher } from '../../server/store/token-crypto.js';
import { AccountsRepository } from '../../server/store/accounts-repository.js';
import { OutboxRepository } from '../../server/store/outbox-repository.js';
import { SiteKeysRepository } from '../../server/store/site-keys-repository.js';
import { AddressBookRepository } from '../../server/store/address-book-repository.js';
import { IntakeLeadsRepository } from '../../server/store/intake-leads-repository.js';
import { WebhookEventsRepository } from '../../server/store/webhook-events-repository.js';
import { WritebacksRepository } from '../../server/store/writebacks-repository.js';
import { AccountSettingsRepository } from '../../server/store/account-settings-repository.js';
import { ACCOUNT_TABLES, AccountDataRepository } from '../../server/store/account-data-repository.js';
import type { OutboxJobs } from '../../server/outbox/jobs.js';
import { tempDir } from '../helpers.js';
import { freshDatabase, postgresUrl } from '../postgres/databases.js';

interface Opened {
  sql: Sql;
  close(): Promise<void>;
}

const stores: Array<[string, () => Promise<Opened>]> = [
  [
    'SQLite',
    async () => {
      const tmp = tempDir();
      const db = openDatabase(join(tmp.dir, 'repo.db'));
      return { sql: new SqliteSql(db), close: async () => (db.close(), tmp.cleanup()) };
    },
  ],
];
if (postgresUrl) {
  stores.push([
    'PostgreSQL',
    async () => {
      const url = await freshDatabase();
      await migratePostgres(url);
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      return { sql: new PostgresSql(pool), close: () => pool.end() };
    },
  ]);
}

const cipher = new TokenCipher(Buffer.alloc(32, 7));
const pair = (n: number) => ({ accessToken: `at-${n}`, refreshToken: `rt-${n}`, expiresAt: 1_000_000 + n });

describe.each(stores)('repositories on %s', (_name, open) => {
  let store: Opened;
  let accounts: AccountsRepository;
  let outbox: OutboxRepository<OutboxJobs>;
  beforeAll(async () => {
    store = await open();
    accounts = new AccountsRepository(store.sql, cipher);
    outbox = new OutboxRepository<OutboxJobs>(store.sql);
  });
  afterAll(() => store.close());

  it('accounts: tokens stored encrypted, rotated only from the refresh token that was current, paused and unpaused', async () => {
    expect(await accounts.checkKey()).toBeNull();
    await accounts.saveConnected({ accountId: 1, subdomain: 'acme', baseDomain: 'amocrm.ru', ...pair(1) }, 10);
    const stored = (await accounts.find(1))!;
    expect(stored).toMatchObject({ accountId: 1, subdomain: 'acme', accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: 1_000_001, status: 'connected', blockedUntil: null });
    const raw = (await store.sql.get<{ refresh_token: Buffer }>('SELECT refresh_token FROM accounts WHERE account_id = ?', [1]))!;
    expect(Buffer.from(raw.refresh_token).toString('latin1')).not.toContain('rt-1');

    expect(await accounts.saveRotated(1, stored.refreshTokenBlob, pair(2), 20)).toBe(true);
    // The second rotation from the same (now old) refresh token changes nothing.
    expect(await accounts.saveRotated(1, stored.refreshTokenBlob, pair(3), 30)).toBe(false);
    expect((await accounts.find(1))!.refreshToken).toBe('rt-2');

    await accounts.pause(1, 5_000, 'account blocked', 40);
    expect(await accounts.pausedUntil(1, 4_999)).toBe(5_000);
    expect(await accounts.pausedUntil(1, 5_000)).toBeNull();
    await accounts.markReconnectRequired(1, 'grant revoked', 50);
    expect(await accounts.status(1)).toBe('reconnect_required');
    await accounts.moveHost(1, 'acme2', 'kommo.com', 60);
    expect((await accounts.list()).map((a) => [a.accountId, a.subdomain, a.baseDomain, a.status])).toEqual([[1, 'acme2', 'kommo.com', 'reconnect_required']]);
    expect(await new AccountsRepository(store.sql, new TokenCipher(Buffer.alloc(32, 8))).checkKey()).toMatch(/not the key/);
    expect(await accounts.delete(1)).toBe(true);
    expect(await accounts.find(1)).toBeNull();
  });

  it('outbox: one item per dedupe key, claimed under a lease, progress kept, failed, parked, retried, counted', async () => {
    await accounts.saveConnected({ accountId: 2, subdomain: 'b', baseDomain: 'amocrm.ru', ...pair(4) }, 0);
    const first = await outbox.enqueue(2, 'writeback', { entity: 'leads', entityId: 5, fieldId: 6, value: 'x', data: null }, 100, 'k1');
    expect(await outbox.enqueue(2, 'writeback', { entity: 'leads', entityId: 5, fieldId: 6, value: 'x', data: null }, 101, 'k1')).toEqual({ id: first.id, duplicate: true });
    const second = await outbox.enqueue(2, 'subscribe', { mode: 'subscribe' }, 100);
    // An item of an account that is not connected waits.
    await outbox.enqueue(99, 'subscribe', { mode: 'subscribe' }, 100);

    const claimed = await outbox.claim(200, 1_000, 10);
    expect(claimed.map((i) => i.id)).toEqual([first.id, second.id]);
    expect(claimed[0]).toMatchObject({ accountId: 2, kind: 'writeback', attempts: 1, payload: { entityId: 5 } });
    expect(await outbox.claim(300, 1_000, 10)).toEqual([]); // leased
    expect(await outbox.renew(first.id, 1, 2_500)).toBe(true);
    expect((await outbox.claim(1_300, 1_000, 10)).map((i) => i.id)).toEqual([second.id]); // the first was renewed: still held
    // A worker whose claim was taken over (another attempt number) changes nothing.
    expect(await outbox.saveState(first.id, { step: 9 }, 300, 2)).toBe(false);
    expect(await outbox.complete(first.id, { step: 9 }, 300, 2)).toBe(false);
    expect(await outbox.saveState(first.id, { step: 1 }, 300, 1)).toBe(true);
    await outbox.complete(first.id, { step: 2 }, 310);
    await outbox.fail(second.id, 'amoCRM said no', 320, null);
    expect(await outbox.counts()).toEqual({ pending: 1, done: 1, parked: 1 });
    expect(await outbox.counts(2)).toEqual({ pending: 0, done: 1, parked: 1 });
    expect((await outbox.find(first.id))!.state).toEqual({ step: 2 });
    expect((await outbox.list('parked', 10, 2)).map((i) => [i.id, i.lastError])).toEqual([[second.id, 'amoCRM said no']]);
    expect(await outbox.retry(second.id, 400, 3)).toBe(0); // another account's id
    expect(await outbox.retry('all-parked', 400, 2)).toBe(1);
    const again = await outbox.claim(500, 1_000, 10);
    expect(again.map((i) => [i.id, i.attempts])).toEqual([[second.id, 1]]);
    await outbox.postpone(second.id, 'blocked', 510, 9_000);
    expect((await outbox.find(second.id))!.attempts).toBe(0);
    expect(await outbox.claim(8_999, 1_000, 10)).toEqual([]);
    expect((await outbox.latest(2, 'subscribe'))!.id).toBe(second.id);
    expect(await outbox.purgeDone(310 + 1_001, 1_000)).toBe(1);
  });

  it('outbox claims go round the accounts: every ready account\'s first item before anyone\'s second, at most N of one account in flight', async () => {
    // Only these three accounts are sending: the earlier test's account waits meanwhile.
    await accounts.markReconnectRequired(2, 'not part of this test', 0);
    for (const id of [11, 12, 13]) await accounts.saveConnected({ accountId: id, subdomain: `a${id}`, baseDomain: 'amocrm.ru', ...pair(id) }, 0);
    const a = [];
    for (let i = 0; i < 6; i++) a.push((await outbox.enqueue(11, 'subscribe', { mode: 'subscribe' }, 10_000 + i)).id);
    const b = (await outbox.enqueue(12, 'subscribe', { mode: 'subscribe' }, 10_010)).id;
    const c = (await outbox.enqueue(13, 'subscribe', { mode: 'subscribe' }, 10_020)).id;
    // Account 11 was first and has six: still, 12 and 13 are in the first claim of three.
    expect((await outbox.claim(20_000, 60_000, 3, 2)).map((i) => i.id).sort((x, y) => x - y)).toEqual([a[0], b, c].sort((x, y) => x - y));
    // Then 11's second; never a third while two of its items are in flight.
    expect((await outbox.claim(20_001, 60_000, 5, 2)).map((i) => i.id)).toEqual([a[1]]);
    expect(await outbox.claim(20_002, 60_000, 5, 2)).toEqual([]);
    expect(await outbox.pendingCount(11)).toBe(6);
    for (const id of [a[0], a[1], b, c]) await outbox.complete(id, {}, 20_003);
    expect((await outbox.claim(20_004, 60_000, 5, 2)).map((i) => i.id)).toEqual([a[2], a[3]]);
  });

  it('site keys: the key is shown once and stored as a hash; a revoked or foreign key does nothing', async () => {
    const keys = new SiteKeysRepository(store.sql);
    const { siteKey, key } = (await keys.createWithin(3, 'shop', 1_000, 5))!;
    const raw = await store.sql.all<Record<string, unknown>>('SELECT * FROM site_keys');
    expect(JSON.stringify(raw)).not.toContain(key);
    expect(await keys.verify(key, 100_000)).toMatchObject({ id: siteKey.id, accountId: 3, lastUsedAt: 100_000 });
    expect(await keys.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await keys.revoke(siteKey.id, 2_000, 4)).toBe(false);
    expect(await keys.revoke(siteKey.id, 2_000, 3)).toBe(true);
    expect(await keys.verify(key)).toBeNull();
    expect((await keys.list(3)).map((k) => k.revokedAt)).toEqual([2_000]);
  });

  it('address book: uses add up, whole words and a typed prefix match, only the account’s own', async () => {
    const book = new AddressBookRepository(store.sql);
    const row = (accountId: number, normalized: string, uses: number, now: number) => ({ accountId, normalized, value: normalized, data: '{}', origin: 'widget', uses, now });
    await book.save(row(5, 'самара ул авроры 5', 1, 10));
    await book.save(row(5, 'самара ул авроры 5', 1, 20));
    await book.save(row(5, 'самара ул аэродромная 7', 0, 30));
    await book.save(row(6, 'самара ул авроры 9', 5, 30));
    expect((await book.search(5, { words: ['самара'], prefix: 'авр' }, 5)).map((r) => r.value)).toEqual(['самара ул авроры 5']);
    expect((await book.search(5, { words: ['самара', 'ул'], prefix: 'а' }, 5)).map((r) => r.value)).toEqual(['самара ул авроры 5', 'самара ул аэродромная 7']);
    expect(await book.search(5, { words: [], prefix: null }, 5)).toEqual([]);
    expect(await book.search(5, { words: ["о'нил"], prefix: null }, 5)).toEqual([]);
    expect(await book.count(5)).toBe(2);
    const uses = await store.sql.get<{ uses: number; last_used_at: number }>('SELECT uses, last_used_at FROM account_addresses WHERE account_id = ? AND normalized = ?', [5, 'самара ул авроры 5']);
    expect(uses).toEqual({ uses: 2, last_used_at: 20 });
    expect(await book.deleteOlderThan('widget', 25)).toBe(1);
    expect(await book.clear(5)).toBe(1);
    expect(await book.count(6)).toBe(1);
  });

  it('intake leads and webhook events: stored with their outbox item in one transaction, or not at all', async () => {
    const leads = new IntakeLeadsRepository(store.sql);
    const { siteKey } = (await new SiteKeysRepository(store.sql).createWithin(7, 'shop', 0, 5))!;
    const site = { id: siteKey.id, accountId: 7 };
    const enqueue = async (intakeId: string, tx: Sql) => (await outbox.in(tx).enqueue(7, 'intake', { intakeId, lead: { name: 'A', phone: '+79170000000' } } as never, 50)).id;
    const { id } = await leads.create(site, 50, enqueue);
    const record = (await leads.find(id, siteKey.id))!;
    expect((await outbox.find(record.outboxId))!.payload).toMatchObject({ intakeId: id });
    expect(await leads.find(id, siteKey.id + 1)).toBeNull();
    const before = await outbox.counts(7);
    await expect(leads.create(site, 60, async (intakeId, tx) => {
      await outbox.in(tx).enqueue(7, 'intake', { intakeId } as never, 60);
      throw new Error('the lead could not be stored');
    })).rejects.toThrow('could not be stored');
    expect(await outbox.counts(7)).toEqual(before);
    // The same Idempotency-Key within 24 h: the first lead's id, nothing stored; after 24 h, a new lead.
    const day = 24 * 3600 * 1000;
    const first = await leads.create(site, 1_000, enqueue, { key: 'order-42', replayMs: day });
    const counted = await outbox.counts(7);
    expect(await leads.create(site, 2_000, enqueue, { key: 'order-42', replayMs: day })).toEqual({ id: first.id, replayed: true });
    expect(await outbox.counts(7)).toEqual(counted);
    const later = await leads.create(site, 1_000 + day + 1, enqueue, { key: 'order-42', replayMs: day });
    expect(later.replayed).toBe(false);
    expect(later.id).not.toBe(first.id);

    const events = new WebhookEventsRepository(store.sql);
    const queue = (tx: Sql) => outbox.in(tx).enqueue(7, 'webhook', { changed: {} } as never, 70);
    expect(await events.recordOnce('h1', 7, 70, queue)).toBe(true);
    expect(await events.recordOnce('h1', 7, 71, queue)).toBe(false);
    await expect(events.recordOnce('h2', 7, 72, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await events.recordOnce('h2', 7, 73, queue)).toBe(true);
    expect((await outbox.counts(7)).pending).toBe(before.pending + 4); // two leads above, two webhooks
    expect(await events.purge(100, 28)).toBe(1); // h1 (70) is older than 72, h2 (73) is not
  });

  it('writebacks and settings: the last value per field; settings default to no mapping', async () => {
    const writebacks = new WritebacksRepository(store.sql);
    const key = { accountId: 8, entity: 'leads', entityId: 4_000_000_000, fieldId: 762381 };
    expect(await writebacks.last(key)).toBeNull();
    await writebacks.record(key, 'a', 1);
    await writebacks.record(key, 'b', 2);
    expect(await writebacks.last(key)).toEqual({ value: 'b', writtenAt: 2 });
    const settings = new AccountSettingsRepository(store.sql);
    expect(await settings.get(8)).toEqual({ fields: {} });
    await settings.save(8, { pipelineId: 5, fields: { leads: { address: 762381 } } }, 3);
    expect(await settings.get(8)).toEqual({ pipelineId: 5, fields: { leads: { address: 762381 } } });
  });

  it('a disconnect purges every per-account table, and the purge list names all of them', async () => {
    const data = new AccountDataRepository(store.sql);
    expect((await data.tablesWithAccountId()).sort()).toEqual([...ACCOUNT_TABLES].sort());
    await accounts.saveConnected({ accountId: 9, subdomain: 'i', baseDomain: 'amocrm.ru', ...pair(9) }, 0);
    await outbox.enqueue(9, 'subscribe', { mode: 'subscribe' }, 0);
    await new SiteKeysRepository(store.sql).createWithin(9, 'shop', 0, 5);
    const purged = await data.purge(9);
    expect(purged).toMatchObject({ accounts: 1, outbox: 1, site_keys: 1 });
    for (const table of ACCOUNT_TABLES) expect((await store.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`, [9]))!.n).toBe(0);
  });
});

describe('the SQLite file’s schema', () => {
  it('a file migrated by a newer release is refused, in words, and left as it was', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'newer.db');
      const db = openDatabase(path);
      db.pragma('user_version = 99');
      db.close();
      expect(() => openDatabase(path)).toThrow(/schema version 99, newer than this release's/);
      const again = new Database(path);
      expect(again.pragma('user_version', { simple: true })).toBe(99);
      again.close();
    } finally {
      tmp.cleanup();
    }
  });
});
