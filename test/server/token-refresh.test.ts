import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { ADMIN_TOKEN, amoEnv, CLIENT_ID, CLIENT_SECRET, connectAccount, REDIRECT_URI, startApp, startFakeAmo, tempDir, widgetToken, type RunningApp } from '../helpers.js';
import { REFRESH_MARGIN_MS } from '../../server/amo/token-service.js';

const ACCOUNT = 32000001;
let fake: FakeAmoCrm;
let app: RunningApp;
let tmp: ReturnType<typeof tempDir>;
let dbPath: string;

beforeAll(async () => {
  fake = await startFakeAmo({ id: ACCOUNT, subdomain: 'acme', name: 'Acme' });
});
afterAll(() => fake.stop());
beforeEach(async () => {
  tmp = tempDir();
  dbPath = join(tmp.dir, 'db.sqlite');
  app = await startApp(amoEnv(fake.url, { DATABASE_PATH: dbPath }));
  await connectAccount(app, fake, ACCOUNT);
  fake.requests.length = 0;
});
afterEach(async () => {
  await app.close();
  tmp.cleanup();
});

/** Moves the stored expiry so the token is inside the refresh margin. */
function expireSoon(): void {
  app.system.db.prepare('UPDATE accounts SET expires_at = ? WHERE account_id = ?').run(Date.now() + REFRESH_MARGIN_MS - 1000, ACCOUNT);
}

describe('token refresh', () => {
  it('100 concurrent API calls at expiry cause exactly one refresh, and all succeed', async () => {
    expireSoon();
    const before = (await app.system.accounts.find(ACCOUNT))!;
    const results = await Promise.all(Array.from({ length: 100 }, () => app.system.amoApi!.getAccount(ACCOUNT)));
    expect(results.every((r) => r.id === ACCOUNT)).toBe(true);
    expect(fake.refreshCount()).toBe(1);
    const after = (await app.system.accounts.find(ACCOUNT))!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
  }, 60_000);

  it('refreshes once after a 401 and repeats the same call', async () => {
    fake.revokeAccessTokens();
    const account = await app.system.amoApi!.getAccount(ACCOUNT);
    expect(account.id).toBe(ACCOUNT);
    expect(fake.refreshCount()).toBe(1);
    expect(fake.count((r) => r.path === '/api/v4/account')).toBe(2);
  });

  it('a rejected refresh token marks the account reconnect_required, with no retry storm', async () => {
    // Simulate the refresh token being used elsewhere: rotate it on the fake behind our back.
    const stored = (await app.system.accounts.find(ACCOUNT))!;
    await fetch(`${fake.url}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, grant_type: 'refresh_token', refresh_token: stored.refreshToken }),
    });
    fake.requests.length = 0;
    expireSoon();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => app.system.amoApi!.getAccount(ACCOUNT)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'reconnect_required')).toBe(true);
    expect(fake.refreshCount()).toBe(1);
    expect((await app.system.accounts.status(ACCOUNT))).toBe('reconnect_required');
    // Later callers fail fast without asking amoCRM again.
    await expect(app.system.amoApi!.getAccount(ACCOUNT)).rejects.toMatchObject({ code: 'reconnect_required' });
    expect(fake.refreshCount()).toBe(1);
    // The widget gets the same code it can show.
    const res = await fetch(`${app.url}/api/address/suggest?q=abc`, { headers: { 'X-Auth-Token': await widgetToken({ accountId: ACCOUNT }) } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('reconnect_required');
    // /api/status shows it to the admin
    const status = await (await fetch(`${app.url}/api/status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(status.accounts[0]).toMatchObject({ accountId: ACCOUNT, status: 'reconnect_required', lastError: 'Token has been revoked' });
  });

  it('refreshes accounts whose tokens sat unused for the idle period, and only those', async () => {
    const eightDaysAgo = Date.now() - 8 * 24 * 3600 * 1000;
    app.system.db.prepare('UPDATE accounts SET updated_at = ? WHERE account_id = ?').run(eightDaysAgo, ACCOUNT);
    const before = (await app.system.accounts.find(ACCOUNT))!;
    expect(await app.system.tokens.refreshIdle(7 * 24 * 3600 * 1000)).toBe(1);
    expect(fake.refreshCount()).toBe(1);
    const after = (await app.system.accounts.find(ACCOUNT))!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.updatedAt).toBeGreaterThan(eightDaysAgo);
    expect(await app.system.tokens.refreshIdle(7 * 24 * 3600 * 1000)).toBe(0);
    expect(fake.refreshCount()).toBe(1);
  });

  it('a new process started on the same database uses the rotated token', async () => {
    expireSoon();
    await app.system.amoApi!.getAccount(ACCOUNT);
    expect(fake.refreshCount()).toBe(1);
    // Due again, so the new process must refresh with the rotated (not the original) refresh token.
    expireSoon();
    await app.close();
    fake.requests.length = 0;

    // A real second process: `tsx server/main.ts` on the same file, asked to verify its accounts.
    const { child, port } = await serverProcess();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/status?verify=true`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      const body = await res.json();
      expect(body.accounts[0]).toMatchObject({ accountId: ACCOUNT, status: 'connected', reachable: true });
      expect(fake.refreshCount()).toBe(1); // a reused refresh token would have been refused
      const call = fake.requests.find((r) => r.path === '/api/v4/account')!;
      expect(call.accountId).toBe(ACCOUNT);
    } finally {
      child.kill('SIGTERM');
    }
    app = await startApp(amoEnv(fake.url, { DATABASE_PATH: dbPath }));
    const after = (await app.system.accounts.find(ACCOUNT))!;
    expect(after.status).toBe('connected');
    expect(fake.requests.find((r) => r.path === '/api/v4/account')!.token).toBe(after.accessToken);
  }, 60_000);

  it('two processes refreshing at once: one rotation wins, the other adopts it, nobody is asked to reconnect', async () => {
    expireSoon();
    await app.close();
    fake.requests.length = 0;
    const servers = await Promise.all([serverProcess(), serverProcess()]);
    try {
      const verify = (port: number) => fetch(`http://127.0.0.1:${port}/api/status?verify=true`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json());
      const answers = await Promise.all(servers.map((s) => verify(s.port)));
      for (const body of answers) expect(body.accounts[0]).toMatchObject({ accountId: ACCOUNT, status: 'connected', reachable: true });
      // Both may have asked (one refresh token, single use): at most one new pair was issued.
      expect(fake.refreshCount()).toBeGreaterThanOrEqual(1);
      expect(fake.refreshCount()).toBeLessThanOrEqual(2);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
    }
    app = await startApp(amoEnv(fake.url, { DATABASE_PATH: dbPath }));
    expect((await app.system.accounts.status(ACCOUNT))).toBe('connected');
    fake.requests.length = 0;
    await expect(app.system.amoApi!.getAccount(ACCOUNT)).resolves.toMatchObject({ id: ACCOUNT }); // the stored pair works
    expect(fake.refreshCount()).toBe(0);
  }, 60_000);
});

/** `tsx server/main.ts` on the test's database, as a separate process; resolves with its port. */
async function serverProcess(): Promise<{ child: ReturnType<typeof spawn>; port: number }> {
  const env = { ...process.env, ...amoEnv(fake.url, { DATABASE_PATH: dbPath, PORT: '0', LOG_LEVEL: 'info' }) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, port };
}
