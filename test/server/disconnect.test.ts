import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { ACCOUNT_TABLES, AccountDataRepository } from '../../server/store/account-data-repository.js';
import { amoEnv, CLIENT_ID, CLIENT_SECRET, connectAccount, startApp, startFakeAmo, tempDir, type RunningApp } from '../helpers.js';

const ACCOUNT = 33000001;
let fake: FakeAmoCrm;
let app: RunningApp;
let tmp: ReturnType<typeof tempDir>;

const sign = (clientUuid: string, accountId: string, secret = CLIENT_SECRET) => createHmac('sha256', secret).update(`${clientUuid}|${accountId}`).digest('hex');
const disconnectUrl = (params: Record<string, string>) => `${app.url}/api/amocrm/integration/disconnect?${new URLSearchParams(params)}`;

beforeAll(async () => {
  fake = await startFakeAmo({ id: ACCOUNT, subdomain: 'acme', name: 'Acme' });
});
afterAll(() => fake.stop());
beforeEach(async () => {
  tmp = tempDir();
  app = await startApp(amoEnv(fake.url, { DATABASE_PATH: join(tmp.dir, 'db.sqlite') }));
  await connectAccount(app, fake, ACCOUNT);
  await app.system.addresses.remember(ACCOUNT, { value: 'Самара, ул Авроры, д 5' });
  expect((await app.system.accounts.find(ACCOUNT))).not.toBeNull();
});
afterEach(async () => {
  await app.close();
  tmp.cleanup();
});

const bookSize = () => (app.system.db.prepare('SELECT COUNT(*) AS n FROM account_addresses WHERE account_id = ?').get(ACCOUNT) as { n: number }).n;

describe('disconnect hook', () => {
  it('a valid call deletes every row of the account (site keys, queued writes, settings, book) and nothing of another', async () => {
    const OTHER = 33000002;
    fake.addAccount({ id: OTHER, subdomain: 'other', name: 'Other' });
    await connectAccount(app, fake, OTHER, 'other');
    const now = Date.now();
    for (const id of [ACCOUNT, OTHER]) {
      const { siteKey } = (await app.system.siteKeyIssuer.create(id, 'shop'));
      await app.system.intake.accept(siteKey, { name: 'Иван', phone: '+7 917 000 00 00' } as never);
      await app.system.settings.save(id, { fields: { leads: { address: 762381 } } }, now);
      await app.system.writebacks.record({ accountId: id, entity: 'leads', entityId: 1, fieldId: 762381 }, 'Самара', now);
      await app.system.addresses.remember(id, { value: 'Самара, ул Авроры, д 7' });
    }
    const rowsOf = (id: number) => Object.fromEntries(ACCOUNT_TABLES.map((t) => [t, (app.system.db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE account_id = ?`).get(id) as { n: number }).n]));
    expect(rowsOf(ACCOUNT)).toMatchObject({ accounts: 1, site_keys: 1, intake_leads: 1, outbox: 1, account_settings: 1, writebacks: 1 });
    const otherBefore = rowsOf(OTHER);

    const res = await fetch(disconnectUrl({ client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, String(ACCOUNT)) }));
    expect(res.status).toBe(200);
    expect(Object.values(rowsOf(ACCOUNT)).every((n) => n === 0)).toBe(true);
    expect(rowsOf(OTHER)).toEqual(otherBefore);
  });

  it('the purge list names every table that has an account_id column', async () => {
    expect((await new AccountDataRepository(app.system.store.sql).tablesWithAccountId()).sort()).toEqual([...ACCOUNT_TABLES].sort());
  });

  it('a valid GET deletes the account’s tokens and cached addresses', async () => {
    const res = await fetch(disconnectUrl({ client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, String(ACCOUNT)) }));
    expect(res.status).toBe(200);
    expect((await app.system.accounts.find(ACCOUNT))).toBeNull();
    expect(bookSize()).toBe(0);
  });

  it('accepts POST with a form body and an upper-case hex signature', async () => {
    const res = await fetch(`${app.url}/api/amocrm/integration/disconnect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, String(ACCOUNT)).toUpperCase() }),
    });
    expect(res.status).toBe(200);
    expect((await app.system.accounts.find(ACCOUNT))).toBeNull();
  });

  it('answers 200 for an account we do not know', async () => {
    const res = await fetch(disconnectUrl({ client_uuid: CLIENT_ID, account_id: '999', signature: sign(CLIENT_ID, '999') }));
    expect(res.status).toBe(200);
    expect((await app.system.accounts.find(ACCOUNT))).not.toBeNull();
  });

  const forged: Array<[string, Record<string, string>]> = [
    ['a signature made with another secret', { client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, String(ACCOUNT), 'not-our-secret') }],
    ['a signature for another account', { client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, '1') }],
    ['another client_uuid, correctly signed with our secret', { client_uuid: '00000000-0000-4000-8000-000000000000', account_id: String(ACCOUNT), signature: sign('00000000-0000-4000-8000-000000000000', String(ACCOUNT)) }],
    ['a truncated signature', { client_uuid: CLIENT_ID, account_id: String(ACCOUNT), signature: sign(CLIENT_ID, String(ACCOUNT)).slice(0, 63) }],
    ['a non-numeric account id', { client_uuid: CLIENT_ID, account_id: `${ACCOUNT}x`, signature: sign(CLIENT_ID, `${ACCOUNT}x`) }],
    ['no signature', { client_uuid: CLIENT_ID, account_id: String(ACCOUNT) }],
    ['no account id', { client_uuid: CLIENT_ID, signature: sign(CLIENT_ID, String(ACCOUNT)) }],
    ['nothing at all', {}],
  ];

  it.each(forged)('%s: 401 and nothing changes', async (_name, params) => {
    const res = await fetch(disconnectUrl(params));
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_signature');
    expect((await app.system.accounts.find(ACCOUNT))).not.toBeNull();
    expect(bookSize()).toBe(1);
  });

  it('a repeated parameter is refused, not guessed', async () => {
    const sig = sign(CLIENT_ID, String(ACCOUNT));
    const res = await fetch(`${app.url}/api/amocrm/integration/disconnect?client_uuid=${CLIENT_ID}&account_id=${ACCOUNT}&account_id=1&signature=${sig}`);
    expect(res.status).toBe(400);
    expect((await app.system.accounts.find(ACCOUNT))).not.toBeNull();
  });
});
