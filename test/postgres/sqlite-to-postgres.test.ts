/**
 * `npm run migrate:sqlite-to-postgres`, as an admin runs it: an installation that ran on its
 * SQLite file moves to PostgreSQL, and the server started on PostgreSQL carries on where it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
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

  it('says what is missing when DATABASE_URL is not set', () => {
    const run = moveToPostgres({ DATABASE_PATH: ':memory:' });
    expect(run.status).toBe(2);
    expect(run.out).toMatch(/Set DATABASE_URL/);
  });
});
