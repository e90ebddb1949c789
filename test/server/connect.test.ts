import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { amoEnv, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, startApp, tempDir, type RunningApp } from '../helpers.js';

const fake = new FakeAmoCrm({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
let app: RunningApp;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  await fake.start();
  fake.addAccount({ id: 31000001, subdomain: 'acme', name: 'Acme' });
});
afterAll(() => fake.stop());
beforeEach(async () => {
  tmp = tempDir();
  app = await startApp(amoEnv(fake.url, { DATABASE_PATH: join(tmp.dir, 'db.sqlite') }));
  fake.requests.length = 0;
});
afterEach(async () => {
  await app.close();
  tmp.cleanup();
});

const callback = (params: Record<string, string>, lang = 'en') =>
  fetch(`${app.url}/api/auth/amocrm/callback?${new URLSearchParams(params)}`, { headers: { 'Accept-Language': lang } });

describe('OAuth callback', () => {
  it('connects an account: exchanges the code, reads the account, stores encrypted tokens', async () => {
    const code = fake.issueCode(31000001);
    const res = await callback({ code, referer: 'acme.amocrm.ru', client_id: CLIENT_ID, from_widget: '1', platform: '1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('“acme” is connected');
    const exchange = fake.requests.find((r) => r.path === '/oauth2/access_token')!;
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID });
    const account = (await app.system.accounts.find(31000001))!;
    expect(account).toMatchObject({ subdomain: 'acme', baseDomain: 'amocrm.ru', status: 'connected' });
    expect(account.accessToken.split('.')).toHaveLength(3); // amoCRM's access tokens are JWTs
  });

  it('answers in Russian by Accept-Language', async () => {
    const res = await callback({ code: fake.issueCode(31000001), referer: 'acme.amocrm.ru' }, 'ru-RU,ru;q=0.9');
    expect(await res.text()).toContain('подключён');
  });

  it('keeps no plaintext token in the database file and none in the logs', async () => {
    await callback({ code: fake.issueCode(31000001), referer: 'acme.amocrm.ru' });
    const account = (await app.system.accounts.find(31000001))!;
    app.system.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(tmp.dir, 'db.sqlite'));
    expect(file.includes(Buffer.from(account.accessToken))).toBe(false);
    expect(file.includes(Buffer.from(account.refreshToken))).toBe(false);
    expect(app.logs.text).not.toContain(account.accessToken);
    expect(app.logs.text).not.toContain(account.refreshToken);
    expect(app.logs.text).not.toContain(CLIENT_SECRET);
    expect(app.logs.text).toContain('amoCRM account connected');
  });

  const hostileReferers = [
    'evil.test',
    'acme.amocrm.ru.evil.test',
    'evil.test/acme.amocrm.ru',
    'acme.amocrm.ru/../evil.test',
    'user@acme.amocrm.ru',
    'acme.amocrm.ru@evil.test',
    'acme.amocrm.ru:8443',
    'acme.amocrm.ru:443',
    '127.0.0.1',
    '[::1]',
    '10.0.0.1',
    'https://acme.amocrm.ru',
    'acme.amocrm.ru.',
    'ACME.AMOCRM.RU',
    'acme.amocrм.ru', // Cyrillic "м"
    'аcme.amocrm.ru', // Cyrillic "а"
    'xn--cme-8cd.amocrm.ru.evil.test',
    'amocrm.ru',
    '.amocrm.ru',
    '-acme.amocrm.ru',
    'acme.kommo.com.evil.test',
    'acme.amocrm.ru%2F@evil.test',
    'acme.amocrm.ru\\@evil.test',
    'acme.amocrm.ru#@evil.test',
    'acme.amocrm.ru?x=evil.test',
    ' acme.amocrm.ru',
    'acme.amocrm.ru\n',
    '',
  ];

  it.each(hostileReferers)('refuses referer %j with 400 and sends nothing anywhere', async (referer) => {
    const res = await callback({ code: fake.issueCode(31000001), referer });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Nothing was sent anywhere');
    expect(fake.requests).toHaveLength(0);
    expect((await app.system.accounts.list())).toHaveLength(0);
  });

  it('refuses a repeated referer parameter', async () => {
    const res = await fetch(`${app.url}/api/auth/amocrm/callback?code=x&referer=acme.amocrm.ru&referer=evil.test`);
    expect(res.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
  });

  it.each(['acme.amocrm.com', 'acme.kommo.com', 'my-shop-2.amocrm.ru'])('accepts the account host %s', async (referer) => {
    fake.addAccount({ id: 31000002, subdomain: referer.split('.')[0], name: 'x' });
    const res = await callback({ code: fake.issueCode(31000002), referer });
    expect(res.status).toBe(200);
    expect((await app.system.accounts.find(31000002))!.baseDomain).toBe(referer.split('.').slice(1).join('.'));
  });

  it('refuses another integration’s client id before any request', async () => {
    const res = await callback({ code: fake.issueCode(31000001), referer: 'acme.amocrm.ru', client_id: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('another integration');
    expect(fake.requests).toHaveLength(0);
  });

  it('explains access_denied', async () => {
    const res = await callback({ error: 'access_denied', referer: 'acme.amocrm.ru' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Access was refused');
    expect(fake.requests).toHaveLength(0);
  });

  it('explains a reused code and what to check, storing nothing new', async () => {
    const code = fake.issueCode(31000001);
    expect((await callback({ code, referer: 'acme.amocrm.ru' })).status).toBe(200);
    await app.system.accounts.delete(31000001);
    const res = await callback({ code, referer: 'acme.amocrm.ru' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('works only once');
    expect(html).toContain('no trailing slash');
    expect(html).toContain('Authorization code has been revoked');
    expect((await app.system.accounts.list())).toHaveLength(0);
  });

  it('explains an expired code', async () => {
    const res = await callback({ code: fake.issueCode(31000001, -1000), referer: 'acme.amocrm.ru' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Authorization code has expired');
  });

  it('refuses a state it did not issue, and accepts one it did', async () => {
    const forged = await callback({ code: fake.issueCode(31000001), referer: 'acme.amocrm.ru', state: 'abc.def.ghi' });
    expect(forged.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
    const start = await fetch(`${app.url}/api/auth/amocrm/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const grantUrl = new URL(start.headers.get('location')!);
    expect(grantUrl.origin).toBe('https://www.amocrm.ru');
    expect(grantUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    const ok = await callback({ code: fake.issueCode(31000001), referer: 'acme.amocrm.ru', state: grantUrl.searchParams.get('state')! });
    expect(ok.status).toBe(200);
  });

  it('answers 502 with advice when amoCRM is down', async () => {
    const res = await fetch(`${app.url}/api/auth/amocrm/callback?code=x&referer=acme.amocrm.ru`, { headers: { 'Accept-Language': 'en' } });
    expect(res.status).toBe(400); // unknown code: amoCRM refuses it
    await fake.stop();
    try {
      const down = await callback({ code: 'whatever', referer: 'acme.amocrm.ru' });
      expect(down.status).toBe(502);
      expect(await down.text()).toContain('did not answer');
    } finally {
      await fake.start();
      fake.addAccount({ id: 31000001, subdomain: 'acme', name: 'Acme' });
      (app.system.config as { amoTestBaseUrl: string }).amoTestBaseUrl = fake.url;
    }
  });
});

describe('demo mode and missing key', () => {
  it('answers 503 saying what to set when no amoCRM credentials are configured', async () => {
    const t = tempDir();
    const demo = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(t.dir, 'db.sqlite') });
    try {
      const res = await fetch(`${demo.url}/api/auth/amocrm/callback?code=x&referer=acme.amocrm.ru`, { headers: { 'Accept-Language': 'en' } });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('AMOCRM_CLIENT_ID');
      const start = await fetch(`${demo.url}/api/auth/amocrm/start`, { redirect: 'manual' });
      expect(start.status).toBe(503);
      expect((await start.json()).error.message).toContain('AMOCRM_CLIENT_SECRET');
      const suggest = await fetch(`${demo.url}/api/address/suggest?q=${encodeURIComponent('Самар')}`);
      expect(suggest.status).toBe(200);
    } finally {
      await demo.close();
      t.cleanup();
    }
  });

  it('refuses to store tokens without TOKEN_ENCRYPTION_KEY outside development', async () => {
    const t = tempDir();
    const env = amoEnv(fake.url, { DATABASE_PATH: join(t.dir, 'db.sqlite'), NODE_ENV: 'production' });
    delete env.TOKEN_ENCRYPTION_KEY;
    const noKey = await startApp(env);
    try {
      const res = await fetch(`${noKey.url}/api/auth/amocrm/callback?code=${fake.issueCode(31000001)}&referer=acme.amocrm.ru`, { headers: { 'Accept-Language': 'en' } });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('TOKEN_ENCRYPTION_KEY');
      expect((await noKey.system.accounts.list())).toHaveLength(0);
    } finally {
      await noKey.close();
      t.cleanup();
    }
  });
});
