/**
 * Website keys only for an account connected here, and a settable number of them per account,
 * whichever way they are asked for: the console, the admin API and `npm run site-key`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ACCOUNT, admin, writeEnv, type WriteEnv } from './write-helpers.js';
import { amoEnv, widgetToken } from '../helpers.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const NEVER_CONNECTED = 36999999;

const consoleKey = async (name: string, accountId = ACCOUNT) =>
  fetch(`${env.app.url}/api/console/site-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Auth-Token': await widgetToken({ accountId, isAdmin: true }) },
    body: JSON.stringify({ name }),
  });

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/site-key.ts', ...args], {
    env: { ...process.env, ...amoEnv(env.fake.url, { DATABASE_PATH: env.dbPath, SITE_KEYS_PER_ACCOUNT: '3' }) },
    encoding: 'utf8',
  });
}

describe('site keys', () => {
  it('are refused for an account never connected here, by the admin API and the CLI alike', async () => {
    env = await writeEnv({ SITE_KEYS_PER_ACCOUNT: '3' });
    const res = await admin(env.app, 'POST', '/api/admin/site-keys', { accountId: NEVER_CONNECTED, name: 'shop' });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('account_not_connected');
    const run = cli('create', '--account', String(NEVER_CONNECTED), '--name', 'shop');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is not connected');
    expect(await env.app.system.siteKeys.list(NEVER_CONNECTED)).toHaveLength(0);
  });

  it('stop at SITE_KEYS_PER_ACCOUNT active keys, counted across console, API and CLI; a revoked key frees its place', async () => {
    env = await writeEnv({ SITE_KEYS_PER_ACCOUNT: '3' });
    expect((await consoleKey('one')).status).toBe(201);
    expect((await admin(env.app, 'POST', '/api/admin/site-keys', { accountId: ACCOUNT, name: 'two' })).status).toBe(201);
    const third = cli('create', '--account', String(ACCOUNT), '--name', 'three');
    expect(third.status, third.stderr).toBe(0);
    const fourth = await consoleKey('four');
    expect(fourth.status).toBe(409);
    const body = await fourth.json();
    expect(body.error.code).toBe('site_key_limit');
    expect(body.error.message).toMatch(/3 active site keys: revoke one/);
    expect(cli('create', '--account', String(ACCOUNT), '--name', 'four').stderr).toContain('3 active site keys');
    const [first] = await env.app.system.siteKeys.list(ACCOUNT);
    expect((await admin(env.app, 'DELETE', `/api/admin/site-keys/${first.id}`)).status).toBe(204);
    expect((await consoleKey('four')).status).toBe(201);
  });

  it('at once, ten requests for the last places make exactly the places left', async () => {
    env = await writeEnv({ SITE_KEYS_PER_ACCOUNT: '3' });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => admin(env.app, 'POST', '/api/admin/site-keys', { accountId: ACCOUNT, name: `s${i}` })));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    expect((await env.app.system.siteKeys.list(ACCOUNT)).filter((k) => !k.revokedAt)).toHaveLength(3);
  });
});

describe('rows of accounts not connected here', () => {
  it('are purged by housekeeping an hour after they were made, like a disconnect; connected accounts and the demo keep theirs', async () => {
    env = await writeEnv();
    const now = Date.now();
    // A site key and a queued lead of a never-connected account (an older release allowed them),
    // and an item that outlived a disconnect.
    const { siteKeys, intake, outbox } = env.app.system;
    const orphanKey = (await siteKeys.createWithin(NEVER_CONNECTED, 'old shop', now, 5))!;
    await intake.accept(orphanKey.siteKey, { name: 'Иван', phone: '+7 917 000 00 00' } as never);
    await outbox.enqueue(NEVER_CONNECTED + 1, 'subscribe', { mode: 'subscribe' }, now);
    const ownKey = await env.app.system.siteKeyIssuer.create(ACCOUNT, 'shop');
    await intake.accept(ownKey.siteKey, { name: 'Анна', phone: '+7 917 000 00 01' } as never);

    expect((await env.app.system.housekeeping(now + 10 * 60_000)).orphanAccounts).toBe(0); // too recent
    expect((await env.app.system.housekeeping(now + 61 * 60_000)).orphanAccounts).toBe(2);
    expect(await siteKeys.list(NEVER_CONNECTED)).toHaveLength(0);
    expect((await outbox.list('pending', 100, NEVER_CONNECTED)).length + (await outbox.list('pending', 100, NEVER_CONNECTED + 1)).length).toBe(0);
    expect(await siteKeys.verify(orphanKey.key)).toBeNull();
    expect(await siteKeys.verify(ownKey.key)).not.toBeNull();
    expect(env.app.logs.text).toContain('rows of an account not connected here purged');
  });
});
