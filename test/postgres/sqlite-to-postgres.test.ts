/**
 * `npm run migrate:sqlite-to-postgres`, as an admin runs it: an installation that ran on its
 * SQLite file moves to PostgreSQL, and the server started on PostgreSQL carries on where it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amoEnv, startApp, TOKEN_KEY } from '../helpers.js';
import { ACCOUNT, createSiteKey, eventually, FAST_RETRIES, postLead, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { freshDatabase, postgresUrl } from './databases.js';

function moveToPostgres(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate-sqlite-to-postgres.ts'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe.skipIf(!postgresUrl)('moving an installation from SQLite to PostgreSQL', () => {
  let env: WriteEnv;
  afterAll(() => env?.close());

  it('accounts, tokens, site keys, settings, address books and sent leads arrive; new work continues after them', async () => {
    env = await writeEnv();
    const before = env.app.system;
    const key = await createSiteKey(env.app);
    const first = (await (await postLead(env.app.url, key, { name: 'Анна', phone: '+7 917 123 45 67', message: 'Позвоните' })).json()).id as string;
    await eventually(async () => (await before.outbox.counts()).done === 1, 'the first lead sent');
    await before.addresses.remember(ACCOUNT, { value: 'Самара, ул Авроры, д 110' });
    await before.settings.save(ACCOUNT, { pipelineId: 5000, fields: { leads: { address: 762381 } } }, Date.now());
    const tokens = (await before.accounts.find(ACCOUNT))!;
    await env.app.close();

    const databaseUrl = await freshDatabase();
    const settings = { DATABASE_PATH: env.dbPath, DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: TOKEN_KEY };
    const moved = moveToPostgres(settings);
    expect(moved.out).toMatch(/accounts 1, account_settings 1, site_keys 1, account_addresses 1, outbox 1, intake_leads 1/);
    expect(moved.status).toBe(0);

    const app = await startApp(amoEnv(env.fake.url, { ...settings, PUBLIC_URL: 'http://127.0.0.1:1', ...FAST_RETRIES }));
    try {
      const account = (await app.system.accounts.find(ACCOUNT))!;
      expect([account.status, account.accessToken, account.refreshToken]).toEqual(['connected', tokens.accessToken, tokens.refreshToken]);
      expect(await app.system.settings.get(ACCOUNT)).toEqual({ pipelineId: 5000, fields: { leads: { address: 762381 } } });
      expect((await app.system.book.search(ACCOUNT, 'Самара Авр', 5)).map((s) => s.value)).toEqual(['Самара, ул Авроры, д 110']);
      // The site key still works, the old lead still answers "sent", and a new one is sent too.
      const status = async (id: string) => (await (await fetch(`${app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json()).status;
      expect(await status(first)).toBe('sent');
      const second = (await (await postLead(app.url, key, { name: 'Борис', phone: '+7 917 765 43 21' })).json()).id as string;
      await eventually(async () => (await status(second)) === 'sent', 'the second lead sent from PostgreSQL');
      expect(env.fake.entities.get(ACCOUNT)!.leads.size).toBe(2);
    } finally {
      await app.close();
    }

    // A second run finds the accounts already there and copies nothing.
    const again = moveToPostgres(settings);
    expect(again.status).toBe(2);
    expect(again.out).toMatch(/already holds 1 account/);
  });

  it('refuses a SQLite path with no file there, creating nothing', async () => {
    const databaseUrl = await freshDatabase();
    const missing = join(tmpdir(), `no-such-${process.pid}.db`);
    const run = moveToPostgres({ DATABASE_PATH: missing, DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
    expect(run.status).toBe(2);
    expect(run.out).toContain(`There is no SQLite file at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('an outbox item that cannot be read moves parked with the reason; unreadable settings stop the move', async () => {
    const source = await writeEnv();
    try {
      const { outbox, db } = source.app.system;
      await source.app.system.worker.stop();
      const good = await outbox.enqueue(ACCOUNT, 'subscribe', { mode: 'subscribe' }, Date.now());
      const bad = await outbox.enqueue(ACCOUNT, 'subscribe', { mode: 'subscribe' }, Date.now());
      db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run('{"mode": "subscr', bad.id);
      await source.app.close();
      const databaseUrl = await freshDatabase();
      const settings = { DATABASE_PATH: source.dbPath, DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: TOKEN_KEY };
      const moved = moveToPostgres(settings);
      expect(moved.status, moved.out).toBe(0);
      expect(moved.out).toMatch(/1 outbox item\(s\) could not be read and were moved parked/);
      const app = await startApp(amoEnv(source.fake.url, { ...settings, PUBLIC_URL: 'http://127.0.0.1:1', ...FAST_RETRIES }));
      try {
        const parked = await app.system.outbox.list('parked', 10);
        expect(parked.map((i) => i.id)).toEqual([bad.id]);
        expect(parked[0].lastError).toMatch(/cannot be read \(its payload is not JSON\)/);
        await eventually(async () => (await app.system.outbox.counts()).done === 1, 'the readable item runs');
        expect((await app.system.outbox.find(good.id))?.status).toBe('done');
      } finally {
        await app.close();
      }

      const other = await writeEnv();
      await other.app.system.settings.save(ACCOUNT, { fields: { leads: { address: 762381 } } }, Date.now());
      other.app.system.db.prepare('UPDATE account_settings SET settings = ? WHERE account_id = ?').run('{broken', ACCOUNT);
      await other.app.close();
      const refused = moveToPostgres({ DATABASE_PATH: other.dbPath, DATABASE_URL: await freshDatabase(), TOKEN_ENCRYPTION_KEY: TOKEN_KEY });
      expect(refused.status).toBe(2);
      expect(refused.out).toMatch(new RegExp(`account_settings.settings is not JSON for account_id ${ACCOUNT}: fix or delete`));
      await other.fake.stop();
      other.tmp.cleanup();
    } finally {
      await source.fake.stop();
      source.tmp.cleanup();
    }
  });

  it('a stored item that cannot be read is parked when claimed, not claimed for ever (SQLite too)', async () => {
    const local = await writeEnv();
    try {
      await local.app.system.worker.stop();
      const bad = await local.app.system.outbox.enqueue(ACCOUNT, 'subscribe', { mode: 'subscribe' }, Date.now());
      local.app.system.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run('null', bad.id);
      expect(await local.app.system.outbox.claim(Date.now(), 60_000, 10)).toEqual([]);
      expect((await local.app.system.outbox.find(bad.id))?.status).toBe('parked');
      expect((await local.app.system.outbox.find(bad.id))?.lastError).toMatch(/its payload is not a JSON object/);
    } finally {
      await local.close();
    }
  });

  it('says what is missing when DATABASE_URL is not set', () => {
    const run = moveToPostgres({ DATABASE_PATH: ':memory:' });
    expect(run.status).toBe(2);
    expect(run.out).toMatch(/Set DATABASE_URL/);
  });
});
